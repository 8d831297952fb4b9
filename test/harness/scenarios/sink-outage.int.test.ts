/**
 * sink-outage at CI size (its own local ClickHouse and Kafka, taken down on purpose): nothing
 * lost, each outage's lag rising and draining; with what a down sink lacks forgotten across a
 * restart, the loss check catches it.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupRuns, runScenario } from './helpers.js';

afterAll(cleanupRuns);

describe('sink-outage', () => {
  it('ClickHouse down, then Kafka down: 0 lost, lag rising and draining', async () => {
    const run = await runScenario('sink-outage');
    expect(run.failing()).toEqual([]);
    for (const id of ['scenario.clickhouse-outage', 'scenario.kafka-outage']) {
      const counts = run.check(id).evidence.counts ?? {};
      expect(counts['lagPeak']).toBeGreaterThan(counts['lagBefore'] ?? 0);
      expect(counts['finalLag']).toBe(0);
    }
  }, 300_000);

  it('fails when the collector forgets what a down sink lacks', async () => {
    const run = await runScenario('sink-outage', {
      sabotage: true,
      size: { outageS: 5, seconds: 20, kafkaOutage: 0 },
    });
    expect(run.results.verdict).toBe('fail');
    expect(run.failing()).toContain('zero-loss.journal-vs-clickhouse');
  }, 300_000);
});
