import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { murmur2, partitionOf } from '../../../../../collector/sinks/kafka/wire/murmur2.js';
import { kafkajsMurmur2 } from './kafkajs-internals.js';

describe('murmur2 partitioner', () => {
  test('agrees with kafkajs (the Java client’s murmur2) on any key, every tail length', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (key) => {
        const bytes = Buffer.from(key, 'utf8');
        expect(murmur2(bytes)).toBe(kafkajsMurmur2(bytes));
      }),
      { numRuns: 1000 },
    );
  });

  test('Java client vectors: keys of length 0–7 and a symbol', () => {
    // From Apache Kafka's UtilsTest.testMurmur2 (the Java implementation both clients copy).
    const cases: [string, number][] = [
      ['21', -973932308],
      ['foobar', -790332482],
      ['a-little-bit-long-string', -985981536],
      ['a-little-bit-longer-string', -1486304829],
      ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
      ['abc', 479470107],
    ];
    for (const [key, hash] of cases) expect(murmur2(Buffer.from(key)), key).toBe(hash);
  });

  test('partitions are in range and the same key always lands on the same one', () => {
    for (const n of [1, 3, 4, 12]) {
      for (const sym of ['AAPL', 'MSFT', '@ESZ24', 'SPY', 'BRK.B']) {
        const p = partitionOf(Buffer.from(sym), n);
        expect(p).toBeGreaterThanOrEqual(0);
        expect(p).toBeLessThan(n);
        expect(partitionOf(Buffer.from(sym), n)).toBe(p);
      }
    }
  });
});
