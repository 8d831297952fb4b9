import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import {
  CRC32C_IMPLEMENTATION,
  crc32c,
  crc32cPortable,
} from '../../../../../collector/sinks/kafka/wire/crc32c.js';
import { kafkajsCrc32c } from './kafkajs-internals.js';

describe('crc32c', () => {
  test('the check value of CRC-32C: "123456789" → 0xE3069283, and the empty input → 0', () => {
    for (const f of [crc32c, crc32cPortable]) {
      expect(f(Buffer.from('123456789'))).toBe(0xe3069283);
      expect(f(Buffer.alloc(0))).toBe(0);
    }
  });

  test('the native implementation is loaded on this platform (linux x64 has a prebuilt binary)', () => {
    // Elsewhere the portable loop is a correct fallback; here a failed load would be a broken install.
    if (process.platform === 'linux' && process.arch === 'x64') expect(CRC32C_IMPLEMENTATION).toBe('native');
  });

  test('agrees with kafkajs on any bytes and any sub-range (the eight-byte loop and its tail)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat(), fc.nat(), (bytes, a, b) => {
        const buf = Buffer.from(bytes);
        const start = buf.length === 0 ? 0 : a % (buf.length + 1);
        const end = start + (buf.length === 0 ? 0 : b % (buf.length - start + 1));
        const want = kafkajsCrc32c(buf.subarray(start, end));
        expect(crc32c(buf, start, end)).toBe(want);
        expect(crc32cPortable(buf, start, end)).toBe(want);
      }),
      { numRuns: 500 },
    );
  });
});
