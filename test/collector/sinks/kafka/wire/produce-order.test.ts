/**
 * A partition keeps its records in seq order when a produce request is refused: requests that
 * could be stored ahead of a refused one (no idempotence, or a partition that has not yet taken a
 * batch of this producer id) are not written until the one before them is answered.
 */
import { afterEach, describe, expect, test } from 'vitest';
import type { ProducerMessage } from '../../../../../collector/sinks/kafka/producer.js';
import { WireProducer } from '../../../../../collector/sinks/kafka/wire/wire-producer.js';
import { silentLogger } from '../../../../../common/logger.js';
import { type FakeBroker, startFakeBroker } from './fake-broker.js';
import { kafkajsDecodeBatch } from './kafkajs-internals.js';

let broker: FakeBroker | null = null;
afterEach(async () => {
  await broker?.close();
  broker = null;
});

/** 200 messages of one key (one partition), ~140 B each: about 15 requests of 2 KiB batches. */
const messages = (): ProducerMessage[] =>
  Array.from({ length: 200 }, (_, i) => ({
    key: 'A',
    value: JSON.stringify({ i, pad: 'x'.repeat(100) }),
    headers: { seq: String(i) },
  }));

/** The values the partition holds, in the order the broker stored them (refused batches left out). */
async function stored(b: FakeBroker): Promise<number[]> {
  const out: number[] = [];
  for (const { batch, errorCode } of b.batches) {
    if (errorCode !== 0) continue;
    const decoded = await kafkajsDecodeBatch(batch);
    out.push(...decoded.records.map((r) => (JSON.parse(r.value!.toString()) as { i: number }).i));
  }
  return out;
}

/** Each value where it first appears: what a consumer sees after deduplicating by seq. */
const firstOccurrences = (values: readonly number[]) => [...new Set(values)];

describe('wire producer without idempotence: a refused request is not overtaken', () => {
  test('a batch refused, then the whole send again on a fresh producer (what the sink does): the partition keeps seq order', async () => {
    broker = await startFakeBroker(1);
    const b = broker;
    const p = new WireProducer({
      brokers: [`127.0.0.1:${b.port}`],
      clientId: 'test',
      logger: silentLogger,
      requestTimeoutMs: 2000,
      idempotent: false,
      maxBatchBytes: 2048,
    });
    expect((await p.connect()).idempotent).toBe(false);
    // NOT_ENOUGH_REPLICAS: the leader refuses the batch before appending it, and may take the next
    // one once the ISR is back. Without sequence numbers nothing stops a later batch from landing.
    b.produceErrorAt.set(1, 19);
    const sent = messages();
    const err = await p.send([{ topic: 't', messages: sent }]).then(
      () => null,
      (e: unknown) => e,
    );
    expect(String(err)).toMatch(/NOT_ENOUGH_REPLICAS \(error code 19\)/);
    await p.connect();
    await p.send([{ topic: 't', messages: sent }]);
    await p.disconnect();

    const values = await stored(b);
    expect(new Set(values).size).toBe(sent.length);
    expect(firstOccurrences(values)).toEqual(sent.map((_, i) => i));
    // Nothing without idempotence lets a broker refuse a batch that overtook a refused one.
    expect(b.maxProducesInFlight).toBe(1);
  });
});

describe('idempotent wire producer on a broker that checks sequences as Kafka 2.5+ does', () => {
  const idempotentProducer = (port: number) =>
    new WireProducer({
      brokers: [`127.0.0.1:${port}`],
      clientId: 'test',
      logger: silentLogger,
      requestTimeoutMs: 2000,
      maxBatchBytes: 2048,
    });

  test('the fake broker’s rule: in-order sends are taken; a gap for a producer id it knows is refused', async () => {
    broker = await startFakeBroker(1);
    const b = broker;
    b.checkSequences = true;
    const p = idempotentProducer(b.port);
    expect((await p.connect()).idempotent).toBe(true);
    const sent = messages();
    await p.send([{ topic: 't', messages: sent.slice(0, 100) }]);
    await p.send([{ topic: 't', messages: sent.slice(100) }]);
    expect(await stored(b)).toEqual(sent.map((_, i) => i));
    // A request refused before its append leaves a gap: the next batch of the same producer id
    // on that partition is out of sequence.
    const before = b.batches.length;
    b.produceErrorAt.set(b.produces + 1, 19);
    const err = await p.send([{ topic: 't', messages: sent.slice(0, 50) }]).then(
      () => null,
      (e: unknown) => e,
    );
    expect(String(err)).toMatch(/NOT_ENOUGH_REPLICAS/);
    const codes = b.batches.slice(before).map((x) => x.errorCode);
    expect(codes.length).toBeGreaterThan(1);
    expect(codes).toEqual([19, ...codes.slice(1).map(() => 45)]);
    await p.disconnect();
  });

  test('the first request of a fresh producer id refused, then the whole send again on a fresh producer: the partition keeps seq order', async () => {
    broker = await startFakeBroker(1);
    const b = broker;
    b.checkSequences = true;
    const p = idempotentProducer(b.port);
    expect((await p.connect()).idempotent).toBe(true);
    // The broker holds nothing of this producer id yet, so it has no sequence to hold the
    // requests behind the refused one to: they land, ahead of the batch refused.
    b.produceErrorAt.set(1, 19);
    const sent = messages();
    const err = await p.send([{ topic: 't', messages: sent }]).then(
      () => null,
      (e: unknown) => e,
    );
    expect(String(err)).toMatch(/NOT_ENOUGH_REPLICAS \(error code 19\)/);
    await p.connect();
    await p.send([{ topic: 't', messages: sent }]);
    await p.disconnect();

    const values = await stored(b);
    expect(new Set(values).size).toBe(sent.length);
    expect(firstOccurrences(values)).toEqual(sent.map((_, i) => i));
  });
});
