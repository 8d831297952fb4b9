/**
 * Everything the deriver keeps per symbol, in one object found by one map lookup per line: its
 * books (one per L2 family the feed used for it), its last quote record, and its counters for
 * the status page.
 */
import { MboBook, MbpBook, MmBook } from '../books/index.js';
import type { BookFamily, OrderBook } from '../books/types.js';
import { jsonString } from './json.js';
import { SymbolLines } from './record-bytes.js';

export class SymbolState {
  /** The symbol as a JSON string literal, built once. */
  readonly json: string;
  /** Where the deriver writes this symbol's records (record-bytes.ts). */
  readonly lines: SymbolLines;
  mbp: MbpBook | null = null;
  mbo: MboBook | null = null;
  mm: MmBook | null = null;

  /** The last quote record's values; `hasQuote` false after an L1 boundary (ARCHITECTURE.md). */
  hasQuote = false;
  bid: number | null = null;
  bidSize: number | null = null;
  ask: number | null = null;
  askSize: number | null = null;

  messages = 0;
  gapsOpened = 0;
  /** Gaps closed by a resync line (each one a gap record). */
  resyncs = 0;
  integrityIssues = 0;
  lastTradePrice: number | null = null;
  lastTradeSize: number | null = null;
  lastTradeTimestamp: string | null = null;

  constructor(
    readonly symbol: string,
    /** The family the collector watches it with (`#l2`), null for a symbol it never asked for. */
    readonly family: BookFamily | null,
  ) {
    this.json = jsonString(symbol);
    this.lines = new SymbolLines(this.json);
  }

  mbpBook(): MbpBook {
    if (this.mbp === null) this.mbp = new MbpBook();
    return this.mbp;
  }

  mboBook(): MboBook {
    if (this.mbo === null) this.mbo = new MboBook();
    return this.mbo;
  }

  mmBook(): MmBook {
    if (this.mm === null) this.mm = new MmBook();
    return this.mm;
  }

  /**
   * The book a message without a family (`S,CLEAR DEPTH`) or the status page shows: the watched
   * family's, else the one the feed used (market maker over by-order over by-price, as only one
   * is used per symbol in practice), else an empty by-price book.
   */
  mainBook(): OrderBook {
    switch (this.family) {
      case 'mbp':
        return this.mbpBook();
      case 'mbo':
        return this.mboBook();
      case 'mm':
        return this.mmBook();
      default:
        return this.mm ?? this.mbo ?? this.mbpBook();
    }
  }

  clearBooks(): void {
    this.mbp?.clear();
    this.mbo?.clear();
    this.mm?.clear();
  }
}
