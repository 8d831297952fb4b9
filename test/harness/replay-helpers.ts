/** Replays as the tests run them: a tape into a run folder, JSONL at full speed, unless told otherwise. */
import { cp } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'vitest';
import { silentLogger } from '../../common/logger.js';
import { generateTape } from '../../fixtures/index.js';
import { type ReplayOptions, type ReplayOutcome, runReplay } from '../../harness/replay/replay.js';

/** `runReplay` with a test's defaults: --speed max, JSONL, depth 10, seed 1, 120 s, no scenario. */
export function testReplay(
  options: Pick<ReplayOptions, 'tape' | 'out'> & Partial<ReplayOptions>,
): Promise<ReplayOutcome> {
  return runReplay({
    speed: 'max',
    rate: null,
    sinks: ['jsonl'],
    depth: 10,
    seed: 1,
    timeoutMs: 120_000,
    command: 'test',
    scenario: null,
    logger: silentLogger,
    ...options,
  });
}

/**
 * A clean run to damage copies of: a generated tape replayed into `root/clean`, every check
 * passed. `copy(name)` gives a copy of the run folder under `root/name`.
 */
export async function cleanRun(
  root: string,
  tapeSpec: { readonly seed: string; readonly lines: number },
): Promise<{ readonly clean: string; copy(name: string): Promise<string> }> {
  const tape = join(root, 'day.tape');
  await generateTape(tapeSpec, tape);
  const clean = join(root, 'clean');
  const { results } = await testReplay({ tape, out: clean });
  expect(results.checks.filter((c) => !c.pass).map((c) => c.id)).toEqual([]);
  return {
    clean,
    async copy(name) {
      const to = join(root, name);
      await cp(clean, to, { recursive: true });
      return to;
    },
  };
}
