/**
 * crash-restart at CI size: every kill resumed the session and every sink holds every record
 * once; with the restart's redelivery defeated (checkpoints moved up to the journal head before
 * each restart), the loss checks catch it.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupRuns, runScenario } from './helpers.js';

afterAll(cleanupRuns);

describe('crash-restart', () => {
  it('SIGKILL at seeded points, restarted each time: every record exactly once', async () => {
    const run = await runScenario('crash-restart');
    expect(run.failing()).toEqual([]);
    const counts = run.check('scenario.kills').evidence.counts ?? {};
    expect(counts['killed']).toBe(10);
    expect(counts['notLive']).toBe(0);
    // The simulator held the tape while each dead collector was being restarted.
    expect(counts['holds']).toBeGreaterThanOrEqual(10);
    expect(run.check('zero-loss.simulator-vs-journal').evidence.counts?.['truncatedByCrash']).toBeGreaterThan(
      0,
    );
  }, 180_000);

  it('fails when a restart does not redeliver what the sinks lack', async () => {
    const run = await runScenario('crash-restart', {
      sabotage: true,
      size: { lines: 30_000, kills: 4, rate: 3000 },
    });
    expect(run.results.verdict).toBe('fail');
    expect(run.failing()).toEqual(
      expect.arrayContaining(['zero-loss.journal-vs-jsonl', 'scenario.exactly-once']),
    );
    expect(run.check('zero-loss.journal-vs-jsonl').evidence.counts?.['lost']).toBeGreaterThan(0);
  }, 180_000);
});
