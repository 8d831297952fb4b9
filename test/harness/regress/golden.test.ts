import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { digestRun } from '../../../harness/regress/golden.js';

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

/** A data directory holding one AAPL L1 file of these records. */
async function dataDir(records: readonly Record<string, unknown>[]): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'l2h-golden-'));
  dirs.push(dir);
  await writeFile(join(dir, 'AAPL_l1_20250725.jsonl'), records.map((r) => `${JSON.stringify(r)}\n`).join(''));
  return dir;
}

const quote = {
  symbol: 'AAPL',
  timestamp: '2025-07-25T09:30:00.000001',
  bid: 213.89,
  bid_size: 100,
  ask: null,
  ask_size: null,
  spread: null,
  mid_price: null,
};

describe('golden digests', () => {
  it('leave out session and seq, but tell a dropped field from a null one', async () => {
    const a = await digestRun(await dataDir([{ ...quote, session: 'S1', seq: 7 }]));
    const b = await digestRun(await dataDir([{ ...quote, session: 'S2', seq: 9 }]));
    expect(b).toEqual(a);
    const { spread: _dropped, ...withoutSpread } = quote;
    const c = await digestRun(await dataDir([{ ...withoutSpread, session: 'S1', seq: 7 }]));
    expect(c['l1/AAPL']!.count).toBe(1);
    expect(c['l1/AAPL']!.sha256).not.toBe(a['l1/AAPL']!.sha256);
  });
});
