import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { classifyKafkaError } from '../../../../../collector/sinks/kafka/errors.js';
import type { ProducerMessage } from '../../../../../collector/sinks/kafka/producer.js';
import { utf8Length, varintSize, Writer } from '../../../../../collector/sinks/kafka/wire/codec.js';
import { KafkaResponseError } from '../../../../../collector/sinks/kafka/wire/errors.js';
import {
  BATCH_HEADER_BYTES,
  encodeRecordBatch,
  NO_PRODUCER,
  recordSize,
  sizeMessage,
} from '../../../../../collector/sinks/kafka/wire/record-batch.js';
import { L2hError } from '../../../../../common/errors.js';
import { kafkajsCrc32c, kafkajsDecodeBatch } from './kafkajs-internals.js';

// Values as text or as UTF-8 bytes (how the sink hands a record's JSONL bytes over).
const message = fc.record({
  key: fc.string({ minLength: 1, maxLength: 12 }),
  value: fc.oneof(
    fc.string({ maxLength: 400 }),
    fc.string({ maxLength: 400 }).map((s) => Buffer.from(s, 'utf8')),
  ),
  headers: fc.record({ session: fc.uuid(), seq: fc.nat().map(String) }),
});

function valueText(v: string | Buffer): string {
  return typeof v === 'string' ? v : v.toString('utf8');
}

describe('record batch (magic 2)', () => {
  test('kafkajs decodes what we encode: keys, values, headers, offsets, producer fields; the CRC is right', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(message, { minLength: 1, maxLength: 40 }),
        fc.boolean(),
        async (messages: ProducerMessage[], idempotent) => {
          const producer = idempotent
            ? { producerId: 4242n, producerEpoch: 3, baseSequence: 17 }
            : NO_PRODUCER;
          const buf = encodeRecordBatch(messages, producer, 1_800_000_000_000);
          expect(buf.length).toBe(
            BATCH_HEADER_BYTES + messages.reduce((s, m, i) => s + recordSize(sizeMessage(m), i), 0),
          );
          expect(buf.readInt32BE(8)).toBe(buf.length - 12);
          expect(buf.readUInt32BE(17)).toBe(kafkajsCrc32c(buf.subarray(21)));
          const batch = await kafkajsDecodeBatch(buf);
          expect(batch.lastOffsetDelta).toBe(messages.length - 1);
          expect(batch.producerId).toBe(String(producer.producerId));
          expect(batch.producerEpoch).toBe(producer.producerEpoch);
          expect(batch.firstSequence).toBe(producer.baseSequence);
          expect(batch.records.length).toBe(messages.length);
          batch.records.forEach((r, i) => {
            const m = messages[i]!;
            expect(r.offset).toBe(String(i));
            expect(r.key?.toString('utf8')).toBe(m.key);
            expect(r.value?.toString('utf8')).toBe(valueText(m.value));
            expect(Object.fromEntries(Object.entries(r.headers).map(([k, v]) => [k, v.toString()]))).toEqual(
              m.headers,
            );
          });
        },
      ),
      { numRuns: 150 },
    );
  });

  test('a record JSON with multi-byte characters is measured in UTF-8 bytes, not chars', async () => {
    const m: ProducerMessage = { key: 'Ü', value: '{"n":"€ – ✓"}', headers: { seq: '1' } };
    const batch = await kafkajsDecodeBatch(encodeRecordBatch([m], NO_PRODUCER, 0));
    expect(batch.records[0]!.value!.toString('utf8')).toBe(m.value);
    expect(batch.records[0]!.key!.toString('utf8')).toBe('Ü');
  });
});

describe('codec', () => {
  test('zigzag varints: size and bytes', () => {
    const cases: [number, number[]][] = [
      [0, [0]],
      [-1, [1]],
      [1, [2]],
      [63, [126]],
      [64, [128, 1]],
      [-65, [129, 1]],
      [1000, [208, 15]],
    ];
    for (const [v, bytes] of cases) {
      const w = new Writer(4);
      w.varint(v);
      expect([...w.bytes()], String(v)).toEqual(bytes);
      expect(varintSize(v)).toBe(bytes.length);
    }
  });

  test('strings: measured and written as Buffer does, short ASCII (the loop) or not', () => {
    const text = fc.oneof(
      fc.string({ maxLength: 80 }),
      fc.string({ unit: 'binary', maxLength: 80 }),
      fc.string({ unit: 'binary-ascii', minLength: 60, maxLength: 70 }),
    );
    fc.assert(
      fc.property(text, (s) => {
        const n = utf8Length(s);
        expect(n).toBe(Buffer.byteLength(s, 'utf8'));
        const w = new Writer(1);
        w.int8(7).utf8(s, n).int8(9);
        expect(w.bytes()).toEqual(Buffer.concat([Buffer.of(7), Buffer.from(s, 'utf8'), Buffer.of(9)]));
      }),
    );
  });
});

describe('errors in responses', () => {
  test('name the code and where; retriable ones are an outage, others refused', () => {
    const leader = classifyKafkaError(new KafkaResponseError(6, 'producing to t/0 on broker 1'), 'send', [
      'b:1',
    ]);
    expect(leader).toBeInstanceOf(L2hError);
    expect(leader.retriable).toBe(true);
    expect(leader.message).toMatch(/NOT_LEADER_OR_FOLLOWER \(error code 6\) producing to t\/0 on broker 1/);
    const tooLarge = classifyKafkaError(new KafkaResponseError(10, 'producing to t/0'), 'send', ['b:1']);
    expect(tooLarge.retriable).toBe(false);
    expect(tooLarge.message).toMatch(/refused to send: MESSAGE_TOO_LARGE/);
    expect(new KafkaResponseError(999, 'x').type).toBe('KAFKA_ERROR_999');
  });
});
