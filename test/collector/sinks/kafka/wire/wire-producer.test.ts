import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { classifyKafkaError } from '../../../../../collector/sinks/kafka/errors.js';
import {
  MAX_PRODUCES_IN_FLIGHT,
  type WireProducer,
} from '../../../../../collector/sinks/kafka/wire/wire-producer.js';
import { type FakeBroker, startFakeBroker } from './fake-broker.js';
import { kafkajsDecodeBatch } from './kafkajs-internals.js';
import { msg, producer } from './producer-rig.js';

let broker: FakeBroker | null = null;
afterEach(async () => {
  await broker?.close();
  broker = null;
});

describe('wire producer against a fake broker', () => {
  test('batches under maxBatchBytes, one per partition per request; sequences run on per partition across sends', async () => {
    broker = await startFakeBroker(3);
    const p = producer(broker.port, { maxBatchBytes: 2048 });
    expect(await p.connect()).toEqual({ idempotent: true, note: null });
    const keys = ['AAPL', 'MSFT', 'SPY', 'QQQ', 'NVDA'];
    const first = Array.from({ length: 120 }, (_, i) => msg(keys[i % keys.length]!, i));
    const second = Array.from({ length: 40 }, (_, i) => msg(keys[i % keys.length]!, 120 + i));
    await p.send([{ topic: 'iqfeed.l2', messages: first }]);
    await p.send([{ topic: 'iqfeed.l2', messages: second }]);
    await p.disconnect();

    const seen = new Map<number, { next: number; values: string[] }>();
    for (const { partition, batch } of broker.batches) {
      expect(batch.length).toBeLessThanOrEqual(2048);
      const decoded = await kafkajsDecodeBatch(batch);
      expect(decoded.producerId).toBe('77');
      expect(decoded.producerEpoch).toBe(2);
      const s = seen.get(partition) ?? { next: 0, values: [] };
      expect(decoded.firstSequence, `partition ${partition}`).toBe(s.next);
      s.next += decoded.records.length;
      s.values.push(...decoded.records.map((r) => r.value!.toString()));
      seen.set(partition, s);
    }
    // Every message once, each partition's in the order given.
    const all = [...first, ...second];
    expect([...seen.values()].reduce((n, s) => n + s.values.length, 0)).toBe(all.length);
    for (const s of seen.values()) {
      const order = s.values.map((v) => all.findIndex((m) => m.value === v));
      expect(order).toEqual([...order].sort((a, b) => a - b));
    }
    expect(broker.produces).toBeGreaterThan(2);
    // A partition twice in one request is not a second batch to a broker: it keeps one of them.
    const carried = broker.batches.map((x) => `${x.request}/${x.topic}/${x.partition}`);
    expect(new Set(carried).size).toBe(carried.length);
  });

  test('a partition error fails the send with its name; retriable codes stay retriable', async () => {
    broker = await startFakeBroker(1);
    const p = producer(broker.port);
    await p.connect();
    broker.produceError = 6; // NOT_LEADER_OR_FOLLOWER
    const err = await p.send([{ topic: 't', messages: [msg('A', 1)] }]).then(
      () => null,
      (e: unknown) => e,
    );
    expect(String(err)).toMatch(/NOT_LEADER_OR_FOLLOWER \(error code 6\) producing to t\/0 on broker 1/);
    expect(classifyKafkaError(err, 'send', ['x']).retriable).toBe(true);
    await p.disconnect();
  });

  test('a connection dropped under a request fails that send at once (no hang); the next send reconnects', async () => {
    broker = await startFakeBroker(1);
    const b = broker;
    const p = producer(b.port);
    await p.connect();
    b.stallProduce = true;
    const inFlight = p.send([{ topic: 't', messages: [msg('A', 1)] }]);
    const caught = inFlight.catch((e: unknown) => e);
    await pollUntil(() => b.produces === 1);
    b.dropConnections();
    expect(String(await caught)).toMatch(/connection to 127\.0\.0\.1:\d+ (closed|: read ECONNRESET)/);
    b.stallProduce = false;
    await p.send([{ topic: 't', messages: [msg('A', 2)] }]);
    expect(b.produces).toBe(2);
    await p.disconnect();
  });

  test('a disconnect while a send opens its connections leaves no socket open and no producer state behind', async () => {
    broker = await startFakeBroker(1);
    const b = broker;
    const p = producer(b.port);
    await p.connect();
    await pollUntil(() => b.openConnections === 0); // the bootstrap connection is closed after connect
    // The send opens a connection (metadata for the new topic, then its leader); the disconnect
    // lands while it is opening.
    const sent = p.send([{ topic: 't', messages: [msg('A', 1)] }]).then(
      () => null,
      (e: unknown) => e,
    );
    await p.disconnect();
    expect(String(await sent)).toMatch(/disconnected while/);
    await pollUntil(() => b.openConnections === 0);
    await expect(p.send([{ topic: 't', messages: [msg('A', 2)] }])).rejects.toThrow(/before connect/);
  });
});

describe('wire producer: produce requests in flight on one connection', () => {
  /** 200 messages of one key, each the same size: about 15 requests of 2 KiB batches. */
  const ids = (from: number) => Array.from({ length: 200 }, (_, i) => from + i);
  const messages = (from: number) => ids(from).map((i) => msg('A', i));
  /** A send's outcome (null: acknowledged, else its error) and whether it has ended. */
  const watch = (sent: Promise<void>) => {
    const w = {
      ended: false,
      outcome: sent.then(
        () => null,
        (e: unknown) => e,
      ),
    };
    void w.outcome.then(() => {
      w.ended = true;
    });
    return w;
  };
  /**
   * One message acknowledged on the test's partition: a producer id's requests overtake each
   * other only where the broker already holds one of its batches. Resolves with the produce
   * requests the broker has received so far.
   */
  const establish = async (b: FakeBroker, p: WireProducer): Promise<number> => {
    await p.send([{ topic: 't', messages: [msg('A', 0)] }]);
    return b.produces;
  };
  /** A producer past `establish`, its broker holding every answer from here on. */
  const heldAfterOneSend = async () => {
    broker = await startFakeBroker(1);
    const b = broker;
    const p = producer(b.port, { maxBatchBytes: 2048 });
    await p.connect();
    const done = await establish(b, p);
    b.holdProduce = true;
    return { b, p, done };
  };
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  beforeEach(() => {
    unhandled.length = 0;
    process.on('unhandledRejection', onUnhandled);
  });
  afterEach(async () => {
    await new Promise((r) => setTimeout(r, 20)); // let a late rejection surface
    process.off('unhandledRejection', onUnhandled);
    expect(unhandled).toEqual([]);
  });

  test('requests go out without waiting for each response, 5 at most in flight; batches and sequences keep their order', async () => {
    broker = await startFakeBroker(1);
    const b = broker;
    const p = producer(b.port, { maxBatchBytes: 2048 });
    await p.connect();
    await p.send([{ topic: 't', messages: messages(1000) }]);
    const requests = b.produces; // the same messages' size again: as many requests again
    expect(requests).toBeGreaterThan(2 * MAX_PRODUCES_IN_FLIGHT);

    b.holdProduce = true;
    const send = watch(p.send([{ topic: 't', messages: messages(2000) }]));
    await pollUntil(() => b.produces === requests + MAX_PRODUCES_IN_FLIGHT);
    await new Promise((r) => setTimeout(r, 50));
    expect(b.produces).toBe(requests + MAX_PRODUCES_IN_FLIGHT); // no sixth before a response
    // Each response lets one more request go (once the client has read it), never more.
    for (let answered = 1; answered <= requests; answered++) {
      b.releaseProduces(1);
      const written = Math.min(requests, MAX_PRODUCES_IN_FLIGHT + answered);
      await pollUntil(() => b.produces === requests + written);
      expect(b.producesInFlight).toBeLessThanOrEqual(MAX_PRODUCES_IN_FLIGHT);
    }
    expect(await send.outcome).toBeNull();
    expect(b.produces).toBe(2 * requests);
    expect(b.maxProducesInFlight).toBe(MAX_PRODUCES_IN_FLIGHT);
    await p.disconnect();

    // The broker stored every batch in the order of its sequence numbers, and the values in order.
    let next = 0;
    const values: number[] = [];
    for (const { batch } of b.batches) {
      const decoded = await kafkajsDecodeBatch(batch);
      expect(decoded.firstSequence).toBe(next);
      next += decoded.records.length;
      values.push(...decoded.records.map((r) => (JSON.parse(r.value!.toString()) as { i: number }).i));
    }
    expect(values).toEqual([...ids(1000), ...ids(2000)]);
  });

  test('an error code in a later response fails the send: no request written after it, every one in flight answered first', async () => {
    const { b, p, done } = await heldAfterOneSend();
    b.produceErrorAt.set(done + 3, 6); // NOT_LEADER_OR_FOLLOWER
    b.produceErrorAt.set(done + 5, 45); // what would follow it: OUT_OF_ORDER_SEQUENCE_NUMBER
    const send = watch(p.send([{ topic: 't', messages: messages(1000) }]));
    await pollUntil(() => b.produces === done + MAX_PRODUCES_IN_FLIGHT);
    b.releaseProduces(2); // two answered, two more requests written
    await pollUntil(() => b.produces === done + MAX_PRODUCES_IN_FLIGHT + 2);
    b.releaseProduces(1); // the third, with its error code
    await new Promise((r) => setTimeout(r, 50));
    expect(b.produces).toBe(done + MAX_PRODUCES_IN_FLIGHT + 2); // nothing written after the failure
    expect(send.ended).toBe(false); // requests 4 to 7 are still to be answered
    expect(b.producesInFlight).toBe(4);
    b.releaseProduces();
    const err = await send.outcome;
    expect(String(err)).toMatch(/NOT_LEADER_OR_FOLLOWER \(error code 6\) producing to t\/0 on broker 1/);
    expect(b.producesInFlight).toBe(0);
    await p.disconnect();
  });

  test('a connection dropped with 5 requests in flight fails the send at once', async () => {
    const { b, p, done } = await heldAfterOneSend();
    const send = watch(p.send([{ topic: 't', messages: messages(1000) }]));
    await pollUntil(() => b.produces === done + MAX_PRODUCES_IN_FLIGHT);
    b.dropConnections();
    expect(String(await send.outcome)).toMatch(/connection to 127\.0\.0\.1:\d+ (closed|: read ECONNRESET)/);
    expect(b.produces).toBe(done + MAX_PRODUCES_IN_FLIGHT);
    await p.disconnect();
  });
});

async function pollUntil(done: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !done(); i++) await new Promise((r) => setTimeout(r, 5));
  if (!done()) throw new Error('condition not reached in 2.5 s');
}
