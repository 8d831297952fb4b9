/** A wire producer against the fake broker, and what the broker stored: for the producer tests. */
import type { ProducerMessage } from '../../../../../collector/sinks/kafka/producer.js';
import { WireProducer } from '../../../../../collector/sinks/kafka/wire/wire-producer.js';
import { silentLogger } from '../../../../../common/logger.js';
import type { FakeBroker } from './fake-broker.js';
import { kafkajsDecodeBatch } from './kafkajs-internals.js';

/** Message `i` of `key`, ~140 B; its value carries `i`, read back by `storedValues`. */
export const msg = (key: string, i: number): ProducerMessage => ({
  key,
  value: JSON.stringify({ i, pad: 'x'.repeat(100) }),
  headers: { seq: String(i) },
});

export function producer(
  port: number,
  options: { readonly maxBatchBytes?: number; readonly idempotent?: boolean } = {},
): WireProducer {
  return new WireProducer({
    brokers: [`127.0.0.1:${port}`],
    clientId: 'test',
    logger: silentLogger,
    requestTimeoutMs: 2000,
    ...options,
  });
}

/** The `i` of every record the broker stored, in the order it stored them (refused batches left out). */
export async function storedValues(b: FakeBroker): Promise<number[]> {
  const out: number[] = [];
  for (const { batch, errorCode } of b.batches) {
    if (errorCode !== 0) continue;
    const decoded = await kafkajsDecodeBatch(batch);
    out.push(...decoded.records.map((r) => (JSON.parse(r.value!.toString()) as { i: number }).i));
  }
  return out;
}
