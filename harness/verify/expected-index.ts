import type { RecordKind } from '../../collector/records/types.js';
import { canonicalRecord, sha256, shortHash } from './canonical.js';
import { readJournal } from './journal-reader.js';
import { type Expected, ReferenceDeriver } from './reference/deriver.js';
import { exactDiff, exactMid } from './reference/fields.js';

/**
 * The records a journal should have produced, indexed by (kind, seq): a short hash of each
 * expected record's canonical form, its symbol, and counts. One pass over the journal; memory is
 * a few bytes per journal line, so a 10M-line day fits.
 */
export interface ExpectedIndex {
  readonly session: string;
  readonly journalLines: number;
  readonly hashes: Readonly<Record<RecordKind, Float64Array>>;
  readonly symbolOf: Readonly<Record<RecordKind, Int32Array>>;
  readonly symbols: readonly string[];
  readonly counts: Readonly<Record<string, number>>; // "kind/symbol" → expected records
  /** The last expected record per kind and symbol (the Redis "latest state" check uses it). */
  readonly last: ReadonlyMap<string, Record<string, unknown>>;
  readonly referenceIntegrity: { readonly unknownDeletes: number };
}

export interface ExpectedOptions {
  readonly journalDir: string;
  readonly session: string;
  readonly journalLines: number;
  readonly symbols: readonly string[];
  readonly depth: number;
}

/** The record the collector should have written for an expected entry, in record form. */
export function expectedRecord(e: Expected, session: string): Record<string, unknown> {
  if (e.kind === 'l2') {
    const bids = e.top.bids.map((l, i) => ({ price: l.price, size: l.size, level: i + 1 }));
    const asks = e.top.asks.map((l, i) => ({ price: l.price, size: l.size, level: i + 1 }));
    const bb = bids[0]?.price;
    const ba = asks[0]?.price;
    return {
      symbol: e.symbol,
      timestamp: e.timestamp,
      bids,
      asks,
      total_bid_size: bids.reduce((s, l) => s + l.size, 0),
      total_ask_size: asks.reduce((s, l) => s + l.size, 0),
      spread: bb !== undefined && ba !== undefined ? exactDiff(ba, bb) : null,
      mid_price: bb !== undefined && ba !== undefined ? exactMid(ba, bb) : null,
      session,
      seq: e.seq,
    };
  }
  if (e.kind === 'l1') {
    const both = e.bid !== null && e.ask !== null;
    return {
      symbol: e.symbol,
      timestamp: e.timestamp,
      bid: e.bid,
      bid_size: e.bid_size,
      ask: e.ask,
      ask_size: e.ask_size,
      spread: both ? exactDiff(e.ask!, e.bid!) : null,
      mid_price: both ? exactMid(e.ask!, e.bid!) : null,
      session,
      seq: e.seq,
    };
  }
  const { kind: _kind, ...rest } = e;
  return { ...rest, session };
}

const KINDS: readonly RecordKind[] = ['l2', 'l1', 'ticks', 'gaps'];

export async function buildExpectedIndex(options: ExpectedOptions): Promise<ExpectedIndex> {
  const size = options.journalLines + 1;
  const hashes = Object.fromEntries(KINDS.map((k) => [k, new Float64Array(size)])) as Record<
    RecordKind,
    Float64Array
  >;
  const symbolOf = Object.fromEntries(KINDS.map((k) => [k, new Int32Array(size)])) as Record<
    RecordKind,
    Int32Array
  >;
  const symbolIds = new Map<string, number>();
  const symbols: string[] = [];
  const counts: Record<string, number> = {};
  const last = new Map<string, Record<string, unknown>>();
  const deriver = new ReferenceDeriver({ depth: options.depth, symbols: options.symbols });
  const out: Expected[] = [];
  const take = () => {
    for (const e of out) {
      if (e.seq >= size) continue;
      const record = expectedRecord(e, options.session);
      hashes[e.kind][e.seq] = shortHash(sha256(canonicalRecord(e.kind, record)));
      let id = symbolIds.get(e.symbol);
      if (id === undefined) {
        id = symbols.length;
        symbols.push(e.symbol);
        symbolIds.set(e.symbol, id);
      }
      symbolOf[e.kind][e.seq] = id;
      const key = `${e.kind}/${e.symbol}`;
      counts[key] = (counts[key] ?? 0) + 1;
      last.set(key, record);
    }
    out.length = 0;
  };
  for await (const batch of readJournal(options.journalDir)) {
    for (const item of batch) {
      if (item.kind === 'line' && item.seq > options.journalLines) break;
      deriver.push(item, out);
    }
    take();
  }
  deriver.end(out);
  take();
  return {
    session: options.session,
    journalLines: options.journalLines,
    hashes,
    symbolOf,
    symbols,
    counts,
    last,
    referenceIntegrity: deriver.integrity,
  };
}

/** Re-run the reference up to `seq` and return what it expected there (for a side-by-side diff). */
export async function expectedAt(
  options: ExpectedOptions,
  kind: RecordKind,
  seq: number,
): Promise<{ record: Record<string, unknown>; line: string } | null> {
  const deriver = new ReferenceDeriver({ depth: options.depth, symbols: options.symbols });
  const out: Expected[] = [];
  let line = '';
  for await (const batch of readJournal(options.journalDir)) {
    for (const item of batch) {
      if (item.kind === 'line') {
        if (item.seq > seq) {
          deriver.end(out);
          const hit = out.find((e) => e.kind === kind && e.seq === seq);
          return hit ? { record: expectedRecord(hit, options.session), line } : null;
        }
        if (item.seq === seq) line = item.line;
      }
      deriver.push(item, out);
      const hit = out.find((e) => e.kind === kind && e.seq === seq);
      if (hit) return { record: expectedRecord(hit, options.session), line };
      out.length = 0;
    }
  }
  deriver.end(out);
  const hit = out.find((e) => e.kind === kind && e.seq === seq);
  return hit ? { record: expectedRecord(hit, options.session), line } : null;
}
