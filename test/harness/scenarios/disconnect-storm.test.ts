/**
 * disconnect-storm at CI size passes every verification; with the collector's reconnect and
 * resync turned off, the scenario's own checks catch it.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupRuns, runScenario } from './helpers.js';

afterAll(cleanupRuns);

describe('disconnect-storm', () => {
  it('50 disconnects: each detected, every symbol resynced, every gap disclosed, books right, nothing lost', async () => {
    const run = await runScenario('disconnect-storm');
    expect(run.failing()).toEqual([]);
    expect(run.check('scenario.disconnects-injected').evidence.counts?.['injected']).toBe(50);
    expect(run.check('scenario.gaps-disclosed').evidence.counts?.['gapRecords']).toBeGreaterThan(0);
    expect(run.results.verdict).toBe('pass');
  }, 180_000);

  it('fails when the collector does not reconnect or resync', async () => {
    const run = await runScenario('disconnect-storm', {
      sabotage: true,
      size: { disconnects: 6, seconds: 6 },
    });
    expect(run.results.verdict).toBe('fail');
    expect(run.failing()).toContain('scenario.disconnects-detected');
    expect(run.check('scenario.disconnects-detected').evidence.differences?.[0]?.actual).toBe('no reconnect');
  }, 180_000);
});
