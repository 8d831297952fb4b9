/**
 * ClickHouse and Kafka for a scenario: provisioned for the run (env URL → testcontainers → local
 * process, services/), wired into the collector's flags, read back for verification. The
 * ClickHouse database is private to the run; Kafka records are filtered by the run's session
 * (known only once the collector started, so the read-back finds it in the journal).
 */
import { randomBytes } from 'node:crypto';
import { basename } from 'node:path';
import type { Logger } from '../../common/logger.js';
import { type ProvisionedServices, provisionServices } from '../../services/index.js';
import type { RunPaths } from '../run-dir.js';
import { clickhouseSource } from '../verify/sinks/clickhouse-source.js';
import { kafkaSource } from '../verify/sinks/kafka-source.js';
import type { SinkRecordSource } from '../verify/sinks/source.js';
import { findSessionDir } from '../verify/verify-run.js';

export interface NetworkSinks {
  readonly services: ProvisionedServices;
  /** `--sinks …` and the endpoints, for the collector. */
  collectorArgs(clickhouseUrl?: string): string[];
  /** Read-back sources (after the run: they look up the run's session in its journal). */
  sources(paths: RunPaths): SinkRecordSource[];
  readonly database: string;
}

export async function networkSinks(logger: Logger): Promise<NetworkSinks> {
  // Our own services, never ones named by the environment: the scenarios take them down on
  // purpose, and a service we did not start cannot be paused (nor should it be).
  const env = { ...process.env };
  for (const k of ['CLICKHOUSE_URL', 'KAFKA_BROKERS', 'L2H_CLICKHOUSE_URL', 'L2H_KAFKA_BROKERS'])
    delete env[k];
  const services = await provisionServices({ clickhouse: true, kafka: true, logger, env });
  const ch = services.clickhouse!;
  const kafka = services.kafka!;
  const database = `l2h_scenario_${randomBytes(4).toString('hex')}`;
  return {
    services,
    database,
    collectorArgs: (clickhouseUrl = ch.url) => [
      '--sinks',
      'jsonl,clickhouse,kafka',
      '--clickhouse-url',
      clickhouseUrl,
      '--clickhouse-db',
      database,
      '--kafka-brokers',
      kafka.brokers.join(','),
    ],
    sources(paths) {
      return [
        lazySource('clickhouse', 'FINAL', async () =>
          clickhouseSource({ url: ch.url, database, session: await sessionOf(paths) }),
        ),
        lazySource('kafka', null, async () =>
          kafkaSource({ brokers: kafka.brokers, session: await sessionOf(paths), logger }),
        ),
      ];
    },
  };
}

async function sessionOf(paths: RunPaths): Promise<string> {
  return basename(await findSessionDir(paths.journal));
}

/** A source built when it is first read (its options depend on the finished run). */
function lazySource(
  name: string,
  dedup: string | null,
  make: () => Promise<SinkRecordSource>,
): SinkRecordSource {
  let made: Promise<SinkRecordSource> | null = null;
  const get = (): Promise<SinkRecordSource> => {
    made ??= make();
    return made;
  };
  return {
    name,
    dedup,
    async *batches() {
      yield* (await get()).batches();
    },
    async collapsedDuplicates() {
      const s = await get();
      return s.collapsedDuplicates ? s.collapsedDuplicates() : 0;
    },
  };
}
