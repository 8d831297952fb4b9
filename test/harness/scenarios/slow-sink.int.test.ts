/**
 * slow-sink at CI size (its own local ClickHouse behind a throttling proxy): memory bounded, the
 * journal absorbs the backlog, nothing lost; with the catch-up from the journal replaced by
 * dropping what overflows the queue, the loss check catches it.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupRuns, runScenario } from './helpers.js';

afterAll(cleanupRuns);

describe('slow-sink', () => {
  it('ClickHouse at a tenth of the rate it needs: memory bounded, journal absorbs it, nothing lost', async () => {
    const run = await runScenario('slow-sink');
    expect(run.failing()).toEqual([]);
    // The backlog outgrew the sink's queue: it caught up from the journal, not from memory.
    expect(run.check('scenario.journal-absorbed').evidence.counts?.['catchUps']).toBeGreaterThan(0);
  }, 300_000);

  it('fails when an overflowing sink drops records instead of catching up', async () => {
    const run = await runScenario('slow-sink', { sabotage: true });
    expect(run.results.verdict).toBe('fail');
    expect(run.failing()).toContain('zero-loss.journal-vs-clickhouse');
  }, 300_000);
});
