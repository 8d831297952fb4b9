import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../common/clock.js';
import { silentLogger } from '../../common/logger.js';
import { DEFAULT_TOPICS, provisionKafka } from '../../services/index.js';
import { pollUntil } from '../../services/shared/poll.js';
import { envWithout, expectLocalPid, tcpRefuses } from './support.js';

const BULK = 'l2h.test.bulk';
const OUTAGE = 'l2h.test.outage';
const BULK_COUNT = 200_000;
const BATCH = 10_000; // kafkajs gets slow far above 10–20k messages per send()

// Our own cluster (container or mock), not the suite's shared one: these tests take it down.
const env = envWithout('KAFKA_BROKERS');
const kafka = await provisionKafka(
  {
    brokerCount: 3,
    topics: [
      { name: BULK, partitions: 4 },
      { name: OUTAGE, partitions: 1 },
    ],
  },
  { logger: silentLogger, env },
);
afterAll(() => kafka.stop());

function client(): Kafka {
  return new Kafka({
    clientId: `l2h-test-${randomUUID().slice(0, 8)}`,
    brokers: kafka.brokers,
    logLevel: logLevel.NOTHING,
    connectionTimeout: 1_000,
    requestTimeout: 3_000,
    retry: { retries: 1, initialRetryTime: 100 },
  });
}

/** Read `topic` from the beginning with a new group until `done(values)` holds. */
async function readAll(k: Kafka, topic: string, done: (values: string[]) => boolean): Promise<string[]> {
  // The mock makes a group's first join wait 3 s and a rebalance up to sessionTimeout − 1 s.
  const consumer = k.consumer({
    groupId: `g-${randomUUID()}`,
    sessionTimeout: 6_000,
    heartbeatInterval: 500,
  });
  const values: string[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachBatch: async ({ batch }) => {
        for (const m of batch.messages) values.push(m.value?.toString() ?? '');
      },
    });
    await pollUntil(async () => (done(values) ? true : undefined), {
      clock: systemClock,
      timeoutMs: 60_000,
      intervalMs: 100,
      what: `a consumer to read ${topic} (has ${values.length} messages)`,
    });
    return values;
  } finally {
    await consumer.disconnect();
  }
}

describe(`Kafka from ${kafka.describe()}`, () => {
  it('pre-creates the default and requested topics with their partition counts', async () => {
    const admin = client().admin();
    await admin.connect();
    try {
      for (const t of [...DEFAULT_TOPICS, { name: BULK, partitions: 4 }, { name: OUTAGE, partitions: 1 }]) {
        const meta = await admin.fetchTopicMetadata({ topics: [t.name] });
        expect(meta.topics[0]?.partitions.length, t.name).toBe(t.partitions);
      }
      // The mock advertises controller 0 unless the launcher patched it; kafkajs needs a real broker id.
      const cluster = await admin.describeCluster();
      expect(cluster.brokers.map((b) => b.nodeId)).toContain(cluster.controller);
    } finally {
      await admin.disconnect();
    }
  });

  it(`an idempotent producer (acks -1) writes ${BULK_COUNT} messages and every one reads back`, async () => {
    const k = client();
    const producer = k.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    try {
      for (let start = 0; start < BULK_COUNT; start += BATCH) {
        const messages = Array.from({ length: BATCH }, (_, i) => ({
          key: `k${(start + i) % 64}`,
          value: `m${start + i}`,
        }));
        await producer.send({ topic: BULK, acks: -1, messages });
      }
    } finally {
      await producer.disconnect();
    }

    const admin = k.admin();
    await admin.connect();
    try {
      const offsets = await admin.fetchTopicOffsets(BULK);
      // Nothing evicted: every partition still starts at 0 (the plain mock keeps 5 MiB / partition).
      expect(offsets.map((o) => o.low)).toEqual(offsets.map(() => '0'));
      expect(offsets.reduce((n, o) => n + Number(o.high), 0)).toBe(BULK_COUNT);
    } finally {
      await admin.disconnect();
    }

    const values = await readAll(k, BULK, (v) => v.length >= BULK_COUNT);
    expect(values.length).toBe(BULK_COUNT);
    const seen = new Set(values);
    expect(seen.size).toBe(BULK_COUNT);
    for (const probe of [0, 1, 99_999, BULK_COUNT - 1]) expect(seen.has(`m${probe}`)).toBe(true);
  });

  it('pause() makes the brokers unreachable and resume() brings them back with the data', async () => {
    expect(kafka.outage).toBe('kept');
    const k = client();
    const producer = k.producer();
    await producer.connect();
    const before = Array.from({ length: 100 }, (_, i) => ({ value: `before-${i}` }));
    await producer.send({ topic: OUTAGE, acks: -1, messages: before });

    await kafka.pause();
    await expect(
      producer.send({ topic: OUTAGE, acks: -1, messages: [{ value: 'during' }] }),
    ).rejects.toThrow();

    await kafka.resume();
    // The same producer recovers once it reconnects.
    await pollUntil(
      async () => {
        await producer.send({ topic: OUTAGE, acks: -1, messages: [{ value: 'after' }] });
        return true;
      },
      {
        clock: systemClock,
        timeoutMs: 20_000,
        intervalMs: 200,
        what: 'the producer to send again after resume()',
      },
    );
    await producer.disconnect();

    const values = await readAll(k, OUTAGE, (v) => v.includes('after'));
    expect(values.slice(0, 100)).toEqual(before.map((m) => m.value));
    expect(values).not.toContain('during');
  });

  it('a local cluster names its process, for CPU accounting', async () => {
    await expectLocalPid(kafka, /mock-launcher|kafka/);
  });

  it('a second provisioning pointed at it by KAFKA_BROKERS uses it as is (source env)', async () => {
    const second = await provisionKafka(
      {},
      { logger: silentLogger, env: { ...env, KAFKA_BROKERS: kafka.brokers.join(',') } },
    );
    expect(second.source).toBe('env');
    await expectLocalPid(second, /mock-launcher|kafka/);
    expect(second.brokers).toEqual(kafka.brokers);
    expect(second.outage).toBeNull();
    await expect(second.pause()).rejects.toMatchObject({ code: 'BAD_USAGE' });
    await second.stop();
    expect(await tcpRefuses(kafka.brokers[0] ?? '')).toBe(false);
  });

  it('stop() ends a cluster for good', async () => {
    const other = await provisionKafka({}, { logger: silentLogger, env });
    expect(await tcpRefuses(other.brokers[0] ?? '')).toBe(false);
    await other.stop();
    for (const b of other.brokers) expect(await tcpRefuses(b)).toBe(true);
    await expect(other.resume()).rejects.toMatchObject({ code: 'BAD_USAGE' });
  });
});
