import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { measureFeedLatency } from '../../../harness/load/feed-latency.js';
import { summarizeLatencyUs } from '../../../harness/load/latency-summary.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'l2h-feed-latency-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const START = 1_753_448_950_000_000;

/** A tape: L1 and L2 lines alternating, one of the L2 lines never forwarded. */
function tapeText(n: number): string {
  const body: string[] = [];
  for (let i = 0; i < n; i++) {
    body.push(
      i % 2 === 0
        ? `${i}\tL1\tQ,AAPL,${i},`
        : `${i}\tL2\t8,AAPL,B,215.${i},100,1,4,09:30:00.0000${i % 10},2025-07-25,`,
    );
  }
  return `#l2tape 1\n#symbols AAPL\n${body.join('\n')}\n`;
}

/**
 * A journal that received L2 tape line i (due at i ms at 1000 lines/s) `delayUs(i)` after it
 * was due, after a greeting the tape does not have, and without tape line `dropped`.
 */
async function journal(
  n: number,
  delayUs: (i: number) => number,
  dropped: number,
  after: readonly string[] = [],
): Promise<string> {
  const session = join(dir, 'journal', 's1');
  await mkdir(session, { recursive: true });
  const rows = ['0\tL2\tS,SERVER CONNECTED'];
  for (let i = 1; i < n; i += 2) {
    if (i === dropped) continue;
    rows.push(`${i * 1000 + delayUs(i)}\tL2\t8,AAPL,B,215.${i},100,1,4,09:30:00.0000${i % 10},2025-07-25,`);
  }
  rows.push(...after);
  await writeFile(
    join(session, 'journal-000001.tape'),
    `#l2tape 1\n#session s1\n#seq-base 0\n#start-us ${START}\n${rows.join('\n')}\n`,
  );
  return session;
}

describe('feed → journal latency from the schedule and the journal', () => {
  it('measures each L2 line against its due time, above the fastest line', async () => {
    const n = 41;
    await writeFile(join(dir, 't.tape'), tapeText(n));
    // Every line 300 µs late (the floor), line 21 late by 5 ms more.
    const session = await journal(n, (i) => (i === 21 ? 5300 : 300), 7);
    const r = await measureFeedLatency(join(dir, 't.tape'), session, 1000);
    expect(r.tapeL2).toBe(20);
    expect(r.matched).toBe(19); // line 7 was not forwarded; the greeting matched nothing
    expect(Array.from(r.samplesUs).sort((a, b) => a - b)).toEqual([...new Array(18).fill(0), 5000]);
    const s = summarizeLatencyUs('feed→journal', r.samplesUs);
    expect(s.count).toBe(19);
    expect(s.p50Ms).toBe(0);
    expect(s.maxMs).toBe(5);
    expect(s.buckets.reduce((t, b) => t + b.count, 0)).toBe(19);
  });

  it('sees a backlog grow when the collector falls behind the schedule', async () => {
    const n = 201;
    await writeFile(join(dir, 't.tape'), tapeText(n));
    // Received at half the offered rate: line i arrives i ms late.
    const session = await journal(n, (i) => i * 1000, -1);
    const r = await measureFeedLatency(join(dir, 't.tape'), session, 1000);
    const s = summarizeLatencyUs('feed→journal', r.samplesUs);
    expect(s.maxMs).toBeCloseTo(198, 0);
    expect(s.p50Ms).toBeGreaterThan(90);
    // Tape lines 1 to 199 over 2 × 198 ms: half the 1000 lines/s offered, whatever the channel.
    expect((r.journaledLines * 1e6) / r.spanUs).toBeCloseTo(500, -1);
  });

  it('measures the achieved rate over the tape only, not the heartbeats after it', async () => {
    const n = 201;
    await writeFile(join(dir, 't.tape'), tapeText(n));
    // On time, then the simulator's clock runs on: a T line a second on each channel for 3 s.
    const ticks = [1, 2, 3].flatMap((k) => [
      `${200_000 + k * 1_000_000}\tL1\tT,20250725 09:30:0${k}`,
      `${200_000 + k * 1_000_000}\tL2\tT,20250725 09:30:0${k}`,
    ]);
    const session = await journal(n, () => 300, -1, ticks);
    const r = await measureFeedLatency(join(dir, 't.tape'), session, 1000);
    expect(r.journaledLines).toBe(198);
    expect(r.spanUs).toBe(198_000);
  });
});

describe('achieved rate over every channel', () => {
  it('measures an L1-only tape, whose lines the simulator re-projects, though it has no L2 sample', async () => {
    const n = 400;
    const body = Array.from(
      { length: n },
      (_, i) => `${i}\tL1\tQ,${i % 3 === 0 ? 'MSFT' : 'AAPL'},215.${i},100,09:30:00.${i},11,`,
    );
    await writeFile(join(dir, 't.tape'), `#l2tape 1\n#symbols AAPL,MSFT\n${body.join('\n')}\n`);
    const session = join(dir, 'journal', 's1');
    await mkdir(session, { recursive: true });
    // Offered 1000 lines/s, delivered at 800 (line i journaled at 1.25 i ms), in the client's
    // own field list; a greeting before and admin STATS between, which are not tape lines.
    const rows = ['0\tL1\tS,SERVER CONNECTED'];
    for (let i = 0; i < n; i++) {
      rows.push(`${5000 + i * 1250}\tL1\tQ,${i % 3 === 0 ? 'MSFT' : 'AAPL'},215.${i},100,11,09:30:00.${i},`);
      if (i % 100 === 0) rows.push(`${5000 + i * 1250}\tADMIN\tS,STATS,127.0.0.1,60003,500`);
    }
    await writeFile(
      join(session, 'journal-000001.tape'),
      `#l2tape 1\n#session s1\n#seq-base 0\n#start-us ${START}\n${rows.join('\n')}\n`,
    );
    const r = await measureFeedLatency(join(dir, 't.tape'), session, 1000);
    expect(r.matched).toBe(0);
    expect(r.spanUs).toBe((n - 1) * 1250);
    expect((r.journaledLines * 1e6) / r.spanUs).toBeCloseTo(800, 0);
  });
});

describe('latency summary', () => {
  it('gives nearest-rank percentiles and per-bucket counts', () => {
    const us = Float64Array.from({ length: 1000 }, (_, i) => (i + 1) * 10); // 10 µs … 10 ms
    const s = summarizeLatencyUs('x', us);
    expect(s).toMatchObject({ count: 1000, p50Ms: 5, p99Ms: 9.9, p999Ms: 9.99, maxMs: 10 });
    expect(s.buckets.find((b) => b.leMs === 0.05)?.count).toBe(5);
    expect(s.buckets.reduce((t, b) => t + b.count, 0)).toBe(1000);
  });
});
