import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { SinkName } from '../../../collector/sinks/sink.js';
import { silentLogger } from '../../../common/logger.js';
import { generateTape } from '../../../fixtures/index.js';
import { prepareSinkServices } from '../../../harness/replay/sink-services.js';
import type { RunResults } from '../../../harness/results/types.js';
import { runPaths } from '../../../harness/run-dir.js';
import {
  allButLastConnections,
  pollFor,
  readSimStats,
  stopSimulatorThenSettle,
} from '../../../harness/scenarios/common.js';
import { testReplay } from '../replay-helpers.js';

const services = inject('services');
const SINKS: SinkName[] = ['jsonl', 'clickhouse', 'kafka', 'redis'];

/**
 * The main job with every sink, on the real services of the integration project: the same
 * records in JSONL, ClickHouse, Kafka and Redis, verified against the journal and each other; and
 * again with the collector killed with SIGKILL mid-run and restarted on its session.
 */
describe(`replay into all four sinks (clickhouse ${services.clickhouse.source}, kafka ${services.kafka.source}, redis ${services.redis.source})`, () => {
  let dir: string;
  let tape: string;
  const saved: Record<string, string | undefined> = {};

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'l2h-all-sinks-'));
    tape = join(dir, 'day.tape');
    await generateTape({ seed: 'all-sinks', lines: 8000 }, tape);
    // The run reaches the suite's services the way a user's run reaches theirs: by environment.
    for (const [k, v] of Object.entries({
      CLICKHOUSE_URL: services.clickhouse.url,
      KAFKA_BROKERS: services.kafka.brokers.join(','),
      REDIS_URL: services.redis.url,
    })) {
      saved[k] = process.env[k];
      process.env[k] = v;
    }
  });

  afterAll(async () => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    await rm(dir, { recursive: true, force: true });
  });

  async function replay(name: string, crash: boolean): Promise<RunResults> {
    const out = join(dir, name);
    const sinks = await prepareSinkServices(SINKS, out, silentLogger);
    try {
      const { results } = await testReplay({
        tape,
        out,
        speed: crash ? 1 : 'max',
        rate: crash ? 1500 : null,
        sinks: SINKS,
        collectorArgs: sinks.collectorArgs,
        collectorEnv: sinks.env,
        sinkSources: sinks.sources,
        services: sinks.describe,
        hooks: {
          extraChecks: (_c, verified) => sinks.extraChecks(verified, runPaths(out).data),
          ...(crash
            ? {
                // Halfway through the tape, with the feed connected: SIGKILL, then the same session again.
                async duringReplay(control) {
                  const first = await control
                    .collector()
                    .waitForEvent((e) => e['event'] === 'ready', 30_000, 'ready');
                  await pollFor('half the tape journaled', 60_000, async () => {
                    const st = await control.readStatus();
                    return st && st.totals.lines.L2 > 3000 && st.ports.every((p) => p.connected) ? st : null;
                  });
                  await control.killCollector();
                  const next = control.restartCollector(['--session', String(first['session'])]);
                  const ready = await next.waitForEvent(
                    (e) => e['event'] === 'ready',
                    60_000,
                    'ready after restart',
                  );
                  expect(ready['resumed']).toBe(true);
                },
                afterTapeEnd: (control) => stopSimulatorThenSettle(control),
                truncatedAllowed: async (control) => allButLastConnections(await readSimStats(control.paths)),
              }
            : {}),
        },
      });
      return results;
    } finally {
      await sinks.stop();
    }
  }

  it('holds the same records in every sink, each verified against the journal and the reference', async () => {
    const results = await replay('clean', false);
    expect(results.checks.filter((c) => !c.pass).map((c) => `${c.id}: ${c.measured}`)).toEqual([]);
    const ids = results.checks.map((c) => c.id);
    for (const sink of SINKS.filter((s) => s !== 'redis'))
      expect(ids).toContain(`zero-loss.journal-vs-${sink}`);
    expect(ids).toContain('consistency.sinks');
    expect(ids).toContain('redis.latest-l2');
    // Given by environment, so the run used them as found and says so.
    expect(results.run.services['clickhouse']).toBe(`env ${services.clickhouse.version}`);
  }, 180_000);

  it('loses nothing when the collector is killed with SIGKILL mid-run and restarted', async () => {
    const results = await replay('crash', true);
    expect(results.checks.filter((c) => !c.pass).map((c) => `${c.id}: ${c.measured}`)).toEqual([]);
    const gaps = results.checks.find((c) => c.id === 'records.gaps');
    // The restart is disclosed as data: gap markers that equal what the reference derives.
    expect(gaps?.evidence.counts?.['compared']).toBeGreaterThan(0);
  }, 240_000);
});
