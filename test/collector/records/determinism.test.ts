import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Journal } from '../../../collector/journal/journal.js';
import { Deriver } from '../../../collector/records/deriver.js';
import { deriverHeaderEntries } from '../../../collector/records/journal-headers.js';
import { deriveJournal, deriverOptionsFromJournal } from '../../../collector/records/rederive.js';
import type { RecordEnvelope } from '../../../collector/records/types.js';
import { ManualClock } from '../../../common/clock.js';
import { generateInMemory } from '../../../fixtures/generate/generate.js';

/**
 * A generated day written through a real Journal, with a reconnect and a restart in it, derived
 * live (as the collector does while appending) and then twice more from the files.
 */
let root = '';
let sessionDir = '';
let live: string[] = [];

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'l2h-determinism-'));
  const day = generateInMemory({ seed: 11, lines: 6000, symbols: 'AAPL,MSFT=mbo,IBM=mm' });
  const get = (k: string) => day.headers.find(([key]) => key === k)?.[1];
  const startUs = Number(get('start-us'));
  const symbols = get('symbols')!.split(',');
  const families = { AAPL: 'mbp', MSFT: 'mbo', IBM: 'mm' } as const;
  const clock = new ManualClock(startUs);
  const journal = await Journal.open({
    dir: root,
    session: 'det-1',
    clock,
    headers: deriverHeaderEntries({ symbols, families, depth: 10 }),
  });
  sessionDir = journal.sessionDir;
  const deriver = new Deriver({ session: 'det-1', symbols, families, depth: 10 });
  const out: RecordEnvelope[] = [];
  const event = (event: 'connect' | 'disconnect', channel: 'L1' | 'L2', us: number, reason?: string) => {
    const seq = journal.recordEvent({ event, channel, us, reason });
    deriver.event({ seq, event, channel, us, reason }, out);
  };
  event('connect', 'L1', startUs);
  event('connect', 'L2', startUs);
  const third = Math.floor(day.lines.length / 3);
  for (const [i, l] of day.lines.entries()) {
    const us = startUs + l.offsetUs;
    if (i === third) {
      event('disconnect', 'L2', deriver.lastLineUs!, 'disconnect');
      event('connect', 'L2', us);
    }
    if (i === 2 * third) {
      for (const ch of ['L1', 'L2'] as const) event('disconnect', ch, deriver.lastLineUs!, 'restart');
      for (const ch of ['L1', 'L2'] as const) event('connect', ch, us);
    }
    const seq = journal.append(l.channel, l.line, us);
    deriver.line(l.channel, l.line, seq, us, out);
  }
  deriver.end(out);
  await journal.close();
  live = out.map((r) => r.json);
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function rederived(): Promise<string[]> {
  const out: string[] = [];
  for await (const batch of deriveJournal(sessionDir)) for (const r of batch) out.push(r.json);
  return out;
}

describe('re-deriving a journal', () => {
  it('reads the deriver options back from the journal headers', async () => {
    expect(await deriverOptionsFromJournal(sessionDir)).toEqual({
      session: 'det-1',
      symbols: ['AAPL', 'MSFT', 'IBM'],
      families: { AAPL: 'mbp', MSFT: 'mbo', IBM: 'mm' },
      depth: 10,
    });
  });

  it('gives the same records, byte for byte, every time, and the same as the live derivation', async () => {
    const first = await rederived();
    const second = await rederived();
    expect(first.length).toBeGreaterThan(3000);
    expect(second).toEqual(first);
    expect(first).toEqual(live);
    // The reconnect and the restart produced gap records, so the boundaries were exercised.
    expect(first.filter((j) => j.includes('"gap_end"')).length).toBeGreaterThanOrEqual(3);
    expect(first.some((j) => j.includes('"reason":"restart"'))).toBe(true);
  });
});
