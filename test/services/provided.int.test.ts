import { createClient } from '@clickhouse/client';
import { Redis } from 'ioredis';
import { Kafka, logLevel } from 'kafkajs';
import { describe, expect, inject, it } from 'vitest';
import { DEFAULT_TOPICS } from '../../services/index.js';

// What the integration project's global setup started once for every *.int.test.ts file.
const services = inject('services');

describe(`shared services: clickhouse ${services.clickhouse.source} ${services.clickhouse.version}, kafka ${services.kafka.source} ${services.kafka.version}, redis ${services.redis.source} ${services.redis.version}`, () => {
  it('ClickHouse answers at the injected URL', async () => {
    const client = createClient({ url: services.clickhouse.url });
    try {
      const rows = await (
        await client.query({ query: 'SELECT version() AS v', format: 'JSONEachRow' })
      ).json<{
        v: string;
      }>();
      expect(rows).toEqual([{ v: services.clickhouse.version }]);
    } finally {
      await client.close();
    }
  });

  it('Kafka answers at the injected brokers and holds the default topics', async () => {
    const admin = new Kafka({ brokers: services.kafka.brokers, logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    try {
      const topics = await admin.listTopics();
      for (const t of DEFAULT_TOPICS) {
        if (services.kafka.source !== 'env') expect(topics).toContain(t.name);
      }
      expect(services.kafka.topics.length).toBe(services.kafka.source === 'env' ? 0 : DEFAULT_TOPICS.length);
    } finally {
      await admin.disconnect();
    }
  });

  it('Redis answers at the injected URL', async () => {
    const r = new Redis(services.redis.url, { lazyConnect: true, maxRetriesPerRequest: 0 });
    try {
      await r.connect();
      expect(await r.ping()).toBe('PONG');
    } finally {
      r.disconnect();
    }
  });
});
