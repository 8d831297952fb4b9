/**
 * A partition keeps its records in seq order when a produce request is refused: requests that
 * could be stored ahead of a refused one (no idempotence, or a partition that has not yet taken a
 * batch of this producer id) are not written until the one before them is answered.
 */
import { afterEach, describe, expect, test } from 'vitest';
import type { WireProducer } from '../../../../../collector/sinks/kafka/wire/wire-producer.js';
import { type FakeBroker, startFakeBroker } from './fake-broker.js';
import { msg, producer, storedValues } from './producer-rig.js';

let broker: FakeBroker | null = null;
afterEach(async () => {
  await broker?.close();
  broker = null;
});

/** 200 messages of one key (one partition), ~140 B each: about 15 requests of 2 KiB batches. */
const messages = () => Array.from({ length: 200 }, (_, i) => msg('A', i));

/**
 * The first produce request refused with NOT_ENOUGH_REPLICAS (before its append), then the whole
 * send again on a fresh connect, as the sink does: each value where it first appears in what the
 * broker stored (what a consumer sees after deduplicating by seq), and how many it stored.
 */
async function refusedFirstThenResent(b: FakeBroker, p: WireProducer) {
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
  const values = await storedValues(b);
  return {
    sent: sent.map((_, i) => i),
    distinct: new Set(values).size,
    firstOccurrences: [...new Set(values)],
  };
}

describe('wire producer without idempotence: a refused request is not overtaken', () => {
  test('a batch refused, then the whole send again on a fresh producer (what the sink does): the partition keeps seq order', async () => {
    broker = await startFakeBroker(1);
    const b = broker;
    const p = producer(b.port, { idempotent: false, maxBatchBytes: 2048 });
    expect((await p.connect()).idempotent).toBe(false);
    // NOT_ENOUGH_REPLICAS: the leader refuses the batch before appending it, and may take the next
    // one once the ISR is back. Without sequence numbers nothing stops a later batch from landing.
    const r = await refusedFirstThenResent(b, p);
    expect(r.distinct).toBe(r.sent.length);
    expect(r.firstOccurrences).toEqual(r.sent);
    // Nothing without idempotence lets a broker refuse a batch that overtook a refused one.
    expect(b.maxProducesInFlight).toBe(1);
  });
});

describe('idempotent wire producer on a broker that checks sequences as Kafka 2.5+ does', () => {
  test('the fake broker’s rule: in-order sends are taken; a gap for a producer id it knows is refused', async () => {
    broker = await startFakeBroker(1);
    const b = broker;
    b.checkSequences = true;
    const p = producer(b.port, { maxBatchBytes: 2048 });
    expect((await p.connect()).idempotent).toBe(true);
    const sent = messages();
    await p.send([{ topic: 't', messages: sent.slice(0, 100) }]);
    await p.send([{ topic: 't', messages: sent.slice(100) }]);
    expect(await storedValues(b)).toEqual(sent.map((_, i) => i));
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
    const p = producer(b.port, { maxBatchBytes: 2048 });
    expect((await p.connect()).idempotent).toBe(true);
    // The broker holds nothing of this producer id yet, so it has no sequence to hold the
    // requests behind the refused one to: they land, ahead of the batch refused.
    const r = await refusedFirstThenResent(b, p);
    expect(r.distinct).toBe(r.sent.length);
    expect(r.firstOccurrences).toEqual(r.sent);
  });
});
