/**
 * Records of all four kinds as the collector hands them to sinks: an `Envelope` around the
 * record's JSON. Values are chosen to be awkward for a database round trip: decimal prices whose
 * double is not the nearest to their text under a sloppy parser (1.39, 5.94, 585.635…), nulls in
 * every nullable field, empty book sides, large volumes and tick ids, and escaped strings.
 * Seeded, so a failure replays.
 */

import { envelopesFromJsonl } from '../../../../bench/envelopes.js';
import { Envelope } from '../../../../collector/records/json.js';
import type {
  BookLevel,
  GapRecord,
  L1Record,
  L2Record,
  RecordEnvelope,
  RecordKind,
  TickRecord,
} from '../../../../collector/records/types.js';

/** mulberry32: a small seeded PRNG. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const AWKWARD = [
  1.39, 5.94, 1.57, 1.61, 3.3431, 9.5949, 13.056, 585.635, 0.0001, 215.11, 99999.9999, 0.1, 0.3,
];
const SYMBOLS = ['AAPL', 'MSFT', 'BRK.A', 'ES#', '@ESM24', 'Q"X\\Y', 'ÜBER€'];

export interface SampleOptions {
  readonly session: string;
  readonly count: number;
  readonly seed: number;
  /** First seq (default 1). */
  readonly firstSeq?: number;
  /**
   * Envelopes as the deriver makes them: views of their JSONL lines in bytes they share, at
   * offsets other than 0 (default: envelopes made from JSON strings).
   */
  readonly asBytes?: boolean;
}

/** The same records as views of one buffer holding their JSONL lines after a few other bytes. */
function asByteEnvelopes(envelopes: readonly RecordEnvelope[]): RecordEnvelope[] {
  return envelopesFromJsonl(
    envelopes.map((e) => ({ kind: e.kind, symbol: e.symbol, seq: e.seq, day: e.day, json: e.json })),
    'xyz\n',
  );
}

function envelope<K extends RecordKind>(
  kind: K,
  record: { symbol: string; seq: number; timestamp: string },
): RecordEnvelope<K> {
  const day = record.timestamp.slice(0, 10).replace(/-/g, '');
  return new Envelope(kind, record.symbol, record.seq, day, JSON.stringify(record));
}

/** `count` records with consecutive seqs, kinds in turn (l2, l1, ticks, gaps, l2, …). */
export function sampleEnvelopes(options: SampleOptions): RecordEnvelope[] {
  const rnd = prng(options.seed);
  const pickInt = (n: number) => Math.floor(rnd() * n);
  const price = (): number => {
    if (rnd() < 0.3) return AWKWARD[pickInt(AWKWARD.length)]!;
    const decimals = 1 + pickInt(6);
    return Number((rnd() * 10 ** (1 + pickInt(4))).toFixed(decimals));
  };
  const maybe = <T>(v: T): T | null => (rnd() < 0.2 ? null : v);
  const out: RecordEnvelope[] = [];
  const first = options.firstSeq ?? 1;
  for (let i = 0; i < options.count; i++) {
    const seq = first + i;
    const symbol = SYMBOLS[pickInt(SYMBOLS.length)]!;
    const us = String(pickInt(1_000_000)).padStart(6, '0');
    const day = ['2012-06-21', '2025-07-25', '2024-12-31', '2025-01-01'][pickInt(4)]!;
    const hh = String(4 + pickInt(16)).padStart(2, '0');
    const timestamp = `${day}T${hh}:${String(pickInt(60)).padStart(2, '0')}:${String(pickInt(60)).padStart(2, '0')}.${us}`;
    const session = options.session;
    switch ((['l2', 'l1', 'ticks', 'gaps'] as const)[i % 4]) {
      case 'l2': {
        const side = (): BookLevel[] => {
          const n = rnd() < 0.15 ? 0 : 1 + pickInt(10);
          return Array.from({ length: n }, (_, k) => ({
            price: price(),
            size: 1 + pickInt(100_000),
            level: k + 1,
          }));
        };
        const bids = side();
        const asks = side();
        const both = bids.length > 0 && asks.length > 0;
        const r: L2Record = {
          symbol,
          timestamp,
          bids,
          asks,
          total_bid_size: bids.reduce((s, l) => s + l.size, 0),
          total_ask_size: asks.reduce((s, l) => s + l.size, 0),
          spread: both ? price() : null,
          mid_price: both ? price() : null,
          session,
          seq,
        };
        out.push(envelope('l2', r));
        break;
      }
      case 'l1': {
        const r: L1Record = {
          symbol,
          timestamp,
          bid: maybe(price()),
          bid_size: maybe(pickInt(1_000_000)),
          ask: maybe(price()),
          ask_size: maybe(pickInt(1_000_000)),
          spread: maybe(price()),
          mid_price: maybe(price()),
          session,
          seq,
        };
        out.push(envelope('l1', r));
        break;
      }
      case 'ticks': {
        const r: TickRecord = {
          symbol,
          timestamp,
          price: price(),
          size: maybe(1 + pickInt(5000)),
          conditions: maybe(['3D', '0187', '', '17"\\'][pickInt(4)]!),
          market_center: maybe(pickInt(70)),
          total_volume: maybe(pickInt(2 ** 40)),
          tick_id: maybe(2 ** 52 + pickInt(1_000_000)),
          session,
          seq,
        };
        out.push(envelope('ticks', r));
        break;
      }
      case 'gaps': {
        const r: GapRecord = {
          symbol,
          timestamp,
          gap_end: timestamp.replace(/\.\d{6}$/, '.999999'),
          duration_us: pickInt(10 ** 9),
          reason: (['disconnect', 'server-disconnected', 'stale-feed', 'restart'] as const)[pickInt(4)]!,
          channel: rnd() < 0.5 ? 'L1' : 'L2',
          session,
          seq,
        };
        out.push(envelope('gaps', r));
        break;
      }
    }
  }
  return options.asBytes ? asByteEnvelopes(out) : out;
}
