import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { crc32c } from '../../../../../collector/sinks/kafka/wire/crc32c.js';
import { kafkajsCrc32c } from './kafkajs-internals.js';

describe('crc32c', () => {
  test('the check value of CRC-32C: "123456789" → 0xE3069283, and the empty input → 0', () => {
    expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283);
    expect(crc32c(Buffer.alloc(0))).toBe(0);
  });

  test('agrees with kafkajs on any bytes and any sub-range (the eight-byte loop and its tail)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat(), fc.nat(), (bytes, a, b) => {
        const buf = Buffer.from(bytes);
        const start = buf.length === 0 ? 0 : a % (buf.length + 1);
        const end = start + (buf.length === 0 ? 0 : b % (buf.length - start + 1));
        expect(crc32c(buf, start, end)).toBe(kafkajsCrc32c(buf.subarray(start, end)));
      }),
      { numRuns: 500 },
    );
  });
});
