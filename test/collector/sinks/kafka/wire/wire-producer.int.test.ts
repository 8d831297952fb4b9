import { randomUUID } from 'node:crypto';
import { describe, expect, inject, it } from 'vitest';
import { readTopics } from '../../../../../collector/sinks/kafka/topic-reader.js';
import { WireProducer } from '../../../../../collector/sinks/kafka/wire/wire-producer.js';
import { silentLogger } from '../../../../../common/logger.js';

const services = inject('services');
const brokers = services.kafka.brokers;

async function readBack(topic: string) {
  const out = [];
  for await (const batch of readTopics({
    brokers,
    topics: [topic],
    fromBeginning: true,
    untilEnd: true,
    logger: silentLogger,
  }))
    out.push(...batch);
  return out;
}

describe(`wire producer on ${services.kafka.source} ${services.kafka.version}`, () => {
  it('cuts a partition’s messages into batches under maxBatchBytes, sent in order with running sequence numbers', async () => {
    const topic = `w${randomUUID().replace(/-/g, '').slice(0, 10)}.l2`;
    const producer = new WireProducer({
      brokers,
      clientId: 'test',
      logger: silentLogger,
      maxBatchBytes: 4096,
    });
    const connection = await producer.connect();
    expect(connection.idempotent).toBe(true);
    const value = (i: number) => JSON.stringify({ seq: i, pad: 'x'.repeat(200) });
    // One key: one partition, ~250 B a record → ~16 per batch → many requests in one send, then a
    // second send that must continue the sequence (the broker rejects a gap or a repeat).
    const first = Array.from({ length: 300 }, (_, i) => ({
      key: 'AAPL',
      value: value(i),
      headers: { seq: String(i) },
    }));
    const second = Array.from({ length: 50 }, (_, i) => ({
      key: 'AAPL',
      value: value(300 + i),
      headers: { seq: String(300 + i) },
    }));
    await producer.send([{ topic, messages: first }]);
    await producer.send([{ topic, messages: second }]);
    await producer.disconnect();
    const got = await readBack(topic);
    expect(got.map((m) => m.value?.toString('utf8'))).toEqual([...first, ...second].map((m) => m.value));
    expect(new Set(got.map((m) => m.partition)).size).toBe(1);
  });

  it('fails a send with a named error once its connection is gone, and a fresh connect works again', async () => {
    const topic = `w${randomUUID().replace(/-/g, '').slice(0, 10)}.l1`;
    const producer = new WireProducer({ brokers, clientId: 'test', logger: silentLogger });
    await producer.connect();
    await producer.disconnect();
    await expect(
      producer.send([{ topic, messages: [{ key: 'K', value: '{}', headers: {} }] }]),
    ).rejects.toThrow(/send before connect/);
    await producer.connect();
    await producer.send([{ topic, messages: [{ key: 'K', value: '{"a":1}', headers: {} }] }]);
    await producer.disconnect();
    expect((await readBack(topic)).map((m) => m.value?.toString())).toEqual(['{"a":1}']);
  });

  it('names the brokers it could not reach', async () => {
    const producer = new WireProducer({
      brokers: ['127.0.0.1:1'],
      clientId: 'test',
      logger: silentLogger,
      connectTimeoutMs: 1000,
    });
    await expect(producer.connect()).rejects.toThrow(
      /no Kafka bootstrap broker answered: connect 127\.0\.0\.1:1: .*ECONNREFUSED/,
    );
  });
});
