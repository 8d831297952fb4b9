import type { TestProject } from 'vitest/node';
import { createLogger } from '../../common/logger.js';
import { provisionServices, type ServiceSource } from '../../services/index.js';

/** What integration tests get from `inject('services')`: plain data, copied into each worker. */
export interface ProvidedServices {
  readonly clickhouse: { readonly url: string; readonly source: ServiceSource; readonly version: string };
  readonly kafka: {
    readonly brokers: string[];
    readonly source: ServiceSource;
    readonly version: string;
    readonly topics: { readonly name: string; readonly partitions: number }[];
  };
  readonly redis: { readonly url: string; readonly source: ServiceSource; readonly version: string };
}

declare module 'vitest' {
  export interface ProvidedContext {
    services: ProvidedServices;
  }
}

/**
 * Starts ClickHouse, Kafka and Redis once for the integration project (CLICKHOUSE_URL /
 * KAFKA_BROKERS / REDIS_URL → testcontainers → local processes). When one cannot be had, this
 * throws and vitest exits 1 with the message naming what to install: never a silent skip.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const logger = createLogger({ name: 'services', level: process.env.L2H_LOG_LEVEL ?? 'warn' });
  const services = await provisionServices({ clickhouse: true, kafka: true, redis: true, logger });
  const { clickhouse, kafka, redis } = services;
  if (!clickhouse || !kafka || !redis) {
    await services.stopAll();
    throw new Error('provisionServices returned without a service it was asked for');
  }
  project.provide('services', {
    clickhouse: { url: clickhouse.url, source: clickhouse.source, version: clickhouse.version },
    kafka: {
      brokers: [...kafka.brokers],
      source: kafka.source,
      version: kafka.version,
      topics: kafka.topics.map((t) => ({ name: t.name, partitions: t.partitions })),
    },
    redis: { url: redis.url, source: redis.source, version: redis.version },
  });
  // One line in the run log says which backends this run used.
  const described = Object.entries(services.describe())
    .map(([name, what]) => `${name}=${what}`)
    .join(', ');
  console.log(`[integration services] ${described}`);
  return () => services.stopAll();
}
