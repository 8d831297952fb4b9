import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Channel } from '../../../collector/protocol/channel.js';
import { feedCheck, type SentConnection } from '../../../harness/verify/feed-check.js';

let root = '';
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'l2h-feed-check-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** What the simulator reports for one connection: digest of all lines, and one every `every` lines. */
function sent(id: number, channel: Channel, lines: readonly string[], every: number): SentConnection {
  const hash = createHash('sha256');
  const checkpoints: { lines: number; sha256: string }[] = [];
  lines.forEach((l, i) => {
    hash.update(`${l}\n`, 'latin1');
    if ((i + 1) % every === 0) checkpoints.push({ lines: i + 1, sha256: hash.copy().digest('hex') });
  });
  return {
    id,
    channel,
    lines: lines.length,
    sha256Lines: hash.digest('hex'),
    checkpointEvery: every,
    checkpoints,
  };
}

/** A one-segment journal session holding `lines` of one L2 connection each. */
async function journal(name: string, connections: readonly (readonly string[])[]): Promise<string> {
  const dir = join(root, name);
  await mkdir(dir, { recursive: true });
  const body: string[] = ['#l2tape 1', '#session s-1', '#seq-base 0', '#start-us 0'];
  const events: string[] = [];
  let seq = 0;
  for (const lines of connections) {
    events.push(JSON.stringify({ seq: seq + 1, event: 'connect', channel: 'L2', us: 0 }));
    for (const l of lines) {
      seq++;
      body.push(`0\tL2\t${l}`);
    }
  }
  await writeFile(join(dir, 'journal-000001.tape'), `${body.join('\n')}\n`, 'latin1');
  await writeFile(join(dir, 'events.jsonl'), `${events.join('\n')}\n`);
  return dir;
}

const feed = (n: number, from = 0) => Array.from({ length: n }, (_, i) => `2,AAPL,${from + i},585.33,100`);

describe('zero-loss.simulator-vs-journal on connections a crash may cut short', () => {
  it('does not call a prefix verified when no checkpoint covers it, and counts the lines it could not compare', async () => {
    const lines = feed(50);
    // 20 lines journaled, the 5th of them different: no checkpoint (every 100) reaches it.
    const got = lines.slice(0, 20).map((l, i) => (i === 4 ? l.replace('585.33', '999.99') : l));
    const dir = await journal('uncovered', [got, feed(10, 100)]);
    const r = await feedCheck({
      journalDir: dir,
      sent: [sent(1, 'L2', lines, 100), sent(2, 'L2', feed(10, 100), 100)],
      truncatedAllowed: new Set(['L2#1']),
    });
    expect(r.check.measured).not.toMatch(/prefix verified/);
    expect(r.check.measured).toMatch(
      /0 journaled lines verified as a prefix.*20 after the last common checkpoint not verified/,
    );
    expect(r.check.evidence.counts).toMatchObject({
      truncatedByCrash: 1,
      prefixLinesVerified: 0,
      prefixLinesUnverified: 20,
    });
  });

  it('verifies a prefix up to the last common checkpoint and fails a difference before it', async () => {
    const lines = feed(50);
    const good = await journal('covered', [lines.slice(0, 23), feed(10, 100)]);
    const ok = await feedCheck({
      journalDir: good,
      sent: [sent(1, 'L2', lines, 10), sent(2, 'L2', feed(10, 100), 10)],
      truncatedAllowed: new Set(['L2#1']),
    });
    expect(ok.check.pass).toBe(true);
    expect(ok.check.evidence.counts).toMatchObject({ prefixLinesVerified: 20, prefixLinesUnverified: 3 });

    const bad = await journal('covered-bad', [
      lines.slice(0, 23).map((l, i) => (i === 14 ? l.replace('585.33', '999.99') : l)),
      feed(10, 100),
    ]);
    const r = await feedCheck({
      journalDir: bad,
      sent: [sent(1, 'L2', lines, 10), sent(2, 'L2', feed(10, 100), 10)],
      truncatedAllowed: new Set(['L2#1']),
    });
    expect(r.check.pass).toBe(false);
    expect(r.check.evidence.differences?.[0]?.where).toMatch(/^connection L2#1 .*after line 10$/);
  });

  it('takes a connection cut short before any line was journaled as a prefix, with nothing unverified', async () => {
    const dir = await journal('empty-first', [[], feed(10, 100)]);
    const r = await feedCheck({
      journalDir: dir,
      sent: [sent(1, 'L2', feed(50), 10), sent(2, 'L2', feed(10, 100), 10)],
      truncatedAllowed: new Set(['L2#1']),
    });
    expect(r.check.pass).toBe(true);
    expect(r.check.evidence.counts).toMatchObject({ truncatedByCrash: 1, prefixLinesUnverified: 0 });
  });

  it('records the connections it allowed to be cut short, for a later re-verification', async () => {
    const dir = await journal('recorded', [feed(10)]);
    const r = await feedCheck({
      journalDir: dir,
      sent: [sent(1, 'L2', feed(10), 10)],
      truncatedAllowed: new Set(['L2#3', 'L1#2']),
    });
    expect(r.check.pass).toBe(true);
    expect(r.check.evidence.details?.['truncatedAllowed']).toEqual(['L1#2', 'L2#3']);
  });
});

describe('zero-loss.simulator-vs-journal does not pass on nothing', () => {
  it('fails a cut-short connection whose journal holds none of the many lines sent, and reports the lines lost', async () => {
    const dir = await journal('lost-all', [[], feed(10, 200_000)]);
    const r = await feedCheck({
      journalDir: dir,
      sent: [sent(1, 'L2', feed(100_000), 500), sent(2, 'L2', feed(10, 200_000), 500)],
      truncatedAllowed: new Set(['L2#1']),
    });
    expect(r.check.pass).toBe(false);
    expect(r.check.measured).toMatch(/100000 lines sent but not journaled/);
    expect(r.check.evidence.differences?.[0]).toMatchObject({
      where: expect.stringMatching(/^connection L2#1/),
    });
    expect(r.check.evidence.details?.['cutShort']).toEqual([
      expect.objectContaining({ connection: 'L2#1', sent: 100_000, journaled: 0, lost: 100_000 }),
    ]);
  });

  it('fails a cut-short connection that lost many intervals after a verified prefix', async () => {
    const lines = feed(100_000);
    const dir = await journal('lost-most', [lines.slice(0, 1200), feed(10, 200_000)]);
    const r = await feedCheck({
      journalDir: dir,
      sent: [sent(1, 'L2', lines, 500), sent(2, 'L2', feed(10, 200_000), 500)],
      truncatedAllowed: new Set(['L2#1']),
    });
    expect(r.check.pass).toBe(false);
    expect(r.check.evidence.counts).toMatchObject({ linesLostAtCut: 98_800 });
  });

  it('keeps passing a cut that lost what a kill can leave in flight, and counts it', async () => {
    const lines = feed(5000);
    const dir = await journal('lost-few', [lines.slice(0, 4700), feed(10, 200_000)]);
    const r = await feedCheck({
      journalDir: dir,
      sent: [sent(1, 'L2', lines, 500), sent(2, 'L2', feed(10, 200_000), 500)],
      truncatedAllowed: new Set(['L2#1']),
    });
    expect(r.check.pass).toBe(true);
    expect(r.check.evidence.counts).toMatchObject({ linesLostAtCut: 300 });
    expect(r.check.measured).toMatch(/300 lines sent but not journaled/);
  });

  it('fails when no line was sent on any connection', async () => {
    const dir = await journal('silent', [[]]);
    const r = await feedCheck({ journalDir: dir, sent: [sent(1, 'L2', [], 10)] });
    expect(r.check.pass).toBe(false);
    expect(r.check.measured).toMatch(/nothing to compare: 0 lines sent/);
  });
});
