/**
 * `l2h replay` of a tape whose header names a symbol its body never carries (a typo in
 * `#symbols`): the collector watches it, the simulator forwards nothing for it, and every
 * comparison has nothing to compare. Such a run is not a pass.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateTape } from '../../../fixtures/index.js';
import { testReplay } from '../replay-helpers.js';

let root = '';
afterAll(async () => {
  if (root) await rm(root, { recursive: true, force: true });
});

describe('replay of a tape whose watched symbol never trades', () => {
  it('fails, naming the symbol and the 0 records compared', async () => {
    root = await mkdtemp(join(tmpdir(), 'l2h-unrecorded-'));
    const good = join(root, 'day.tape');
    await generateTape({ seed: 'unrecorded', lines: 3000 }, good);
    const tape = join(root, 'typo.tape');
    const text = await readFile(good, 'latin1');
    await writeFile(
      tape,
      text.replace(/^#symbols .*$/m, '#symbols ZZZZ').replace(/^#l2 .*$/m, '#l2 ZZZZ=mbp'),
      'latin1',
    );
    const { results } = await testReplay({ tape, out: join(root, 'run'), timeoutMs: 60_000 });
    const byId = new Map(results.checks.map((c) => [c.id, c]));
    expect(results.verdict).toBe('fail');
    expect(byId.get('zero-loss.journal-vs-jsonl')?.pass).toBe(false);
    expect(byId.get('zero-loss.journal-vs-jsonl')?.measured).toMatch(
      /nothing to compare: 0 records expected/,
    );
    expect(byId.get('integrity.symbols-recorded')?.pass).toBe(false);
    expect(byId.get('integrity.symbols-recorded')?.measured).toMatch(/no record of any kind: ZZZZ$/);
  }, 120_000);
});
