/**
 * hostile-feed at CI size: no crash, every line journaled, every bad line located and counted,
 * valid lines unaffected; with the collector framing at a 64 KiB line limit, the 1 MiB lines
 * are journaled in pieces and the checks catch it.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupRuns, runScenario } from './helpers.js';

afterAll(cleanupRuns);

describe('hostile-feed', () => {
  it('bad lines mixed into valid traffic: 0 crashes, all journaled, every bad one counted and located', async () => {
    const run = await runScenario('hostile-feed');
    expect(run.failing()).toEqual([]);
    expect(run.check('scenario.bad-lines-journaled').evidence.counts?.['oversized']).toBe(3);
  }, 180_000);

  it('fails when the collector cuts long lines', async () => {
    const run = await runScenario('hostile-feed', {
      sabotage: true,
      size: { lines: 20_000, bad: 40, oversized: 2 },
    });
    expect(run.results.verdict).toBe('fail');
    expect(run.failing()).toContain('zero-loss.simulator-vs-journal');
  }, 180_000);
});
