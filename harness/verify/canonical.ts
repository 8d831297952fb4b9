import { createHash } from 'node:crypto';
import type { RecordKind } from '../../collector/records/types.js';

/**
 * One canonical text per record, so records from different sinks (a JSONL line, a Kafka value, a
 * ClickHouse row turned back into an object) compare field by field: fixed key order per kind,
 * numbers in JavaScript's shortest form, unknown keys kept at the end so an extra field is a
 * difference rather than silently ignored, and an absent field written `absent`, which no JSON
 * value is.
 */
const FIELDS: Readonly<Record<RecordKind, readonly string[]>> = {
  l2: [
    'symbol',
    'timestamp',
    'bids',
    'asks',
    'total_bid_size',
    'total_ask_size',
    'spread',
    'mid_price',
    'session',
    'seq',
  ],
  l1: ['symbol', 'timestamp', 'bid', 'bid_size', 'ask', 'ask_size', 'spread', 'mid_price', 'session', 'seq'],
  ticks: [
    'symbol',
    'timestamp',
    'price',
    'size',
    'conditions',
    'market_center',
    'total_volume',
    'tick_id',
    'session',
    'seq',
  ],
  gaps: ['symbol', 'timestamp', 'gap_end', 'duration_us', 'reason', 'channel', 'session', 'seq'],
};

const LEVEL_FIELDS = ['price', 'size', 'level'] as const;

function canonicalValue(v: unknown): string {
  // An absent key (or one holding `undefined`, which JSON cannot carry).
  if (v === undefined) return 'absent';
  if (v === null) return 'null';
  if (Array.isArray(v)) {
    return `[${v
      .map((x) => {
        if (x === null || typeof x !== 'object') return canonicalValue(x);
        const o = x as Record<string, unknown>;
        const extra = Object.keys(o).filter((k) => !(LEVEL_FIELDS as readonly string[]).includes(k));
        return `{${[...LEVEL_FIELDS, ...extra.sort()].map((k) => `${JSON.stringify(k)}:${canonicalValue(o[k])}`).join(',')}}`;
      })
      .join(',')}]`;
  }
  return JSON.stringify(v);
}

export function canonicalRecord(kind: RecordKind, record: Readonly<Record<string, unknown>>): string {
  const known = FIELDS[kind];
  const extra = Object.keys(record)
    .filter((k) => !known.includes(k))
    .sort();
  return `{${[...known, ...extra].map((k) => `${JSON.stringify(k)}:${canonicalValue(record[k])}`).join(',')}}`;
}

export function sha256(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/** The first 48 bits of a digest as a number: enough to tell records apart, cheap to store per seq. */
export function shortHash(digest: Buffer): number {
  return digest.readUIntBE(0, 6) + 1; // never 0, which marks "no record expected"
}

/**
 * An order-independent digest of a set of records: XOR of their SHA-256s. Sinks deliver records
 * in different orders (Kafka partitions, ClickHouse parts); after deduplication the same set gives
 * the same digest.
 */
export class SetDigest {
  private readonly acc = Buffer.alloc(32);
  count = 0;

  add(digest: Buffer): void {
    for (let i = 0; i < 32; i++) this.acc[i]! ^= digest[i]!;
    this.count++;
  }

  toString(): string {
    return `sha256-xor:${this.acc.toString('hex')}`;
  }
}
