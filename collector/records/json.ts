/**
 * Record JSON, built by hand: one string per record, keys in CONTRACTS §2 order, numbers in
 * JavaScript's shortest form (the exact decimal a price was sent as: never `215.10999999`).
 * Hand-built because an L2 record is the hot path (up to 2 × depth level objects per message)
 * and `JSON.stringify` of an object graph costs several times more than concatenating the text.
 *
 * Pieces are joined with `Array.prototype.join`, which makes one flat string, rather than `+`,
 * which makes a tree of pieces: a record waits in a sink queue for its journal line's fsync and
 * usually outlives the young generation, and flattening old trees when the sink writes cost
 * more than building them (bench/suites/collector.ts).
 */
import type { OrderBook, Side } from '../books/types.js';
import { mid, spread } from '../protocol/decimal.js';
import type { GapReason, RecordByKind, RecordEnvelope, RecordKind } from './types.js';

/** A JSON string literal; plain text (every symbol in practice) takes no escaping pass. */
export function jsonString(text: string): string {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    // A control character, `"` or `\\` needs escaping; let JSON.stringify do it right.
    if (c < 32 || c === 34 || c === 92) return JSON.stringify(text);
  }
  return `"${text}"`;
}

/** A JSON number, or null. A non-finite value cannot be written as JSON: it is a bug upstream. */
export function jsonNumber(n: number | null): string {
  if (n === null) return 'null';
  if (!Number.isFinite(n)) throw new RangeError(`record field is not a finite number: ${n}`);
  return String(n);
}

/**
 * The JSON of one side's levels, remembered per book side: most L2 messages change one level of
 * one side, so the other side's text is reused whole and, on the changed side, every level still
 * at the same rank with the same price and size keeps its text. Books are only compared here,
 * never trusted to say what changed.
 */
class SideText {
  n = -1;
  total = 0;
  json = '[]';
  private readonly prices: Float64Array;
  private readonly sizes: Float64Array;
  private readonly parts: string[];

  constructor(depth: number) {
    this.prices = new Float64Array(depth);
    this.sizes = new Float64Array(depth);
    this.parts = new Array<string>(depth).fill('');
  }

  update(book: OrderBook, side: Side, depth: number): void {
    const n = Math.min(depth, book.levelCount(side));
    let changed = n !== this.n;
    let total = 0;
    for (let rank = 0; rank < n; rank++) {
      const price = book.priceAt(side, rank);
      const size = book.sizeAt(side, rank);
      total += size;
      if (rank >= this.n || price !== this.prices[rank] || size !== this.sizes[rank]) {
        this.prices[rank] = price;
        this.sizes[rank] = size;
        this.parts[rank] =
          `${rank === 0 ? '' : ','}{"price":${String(price)},"size":${String(size)},"level":${rank + 1}}`;
        changed = true;
      }
    }
    if (!changed) return;
    const p = this.parts;
    this.json = n === 0 ? '[]' : `[${(n === p.length ? p : p.slice(0, n)).join('')}]`;
    this.n = n;
    this.total = total;
  }
}

/**
 * The JSON of each record kind for one session. `symbol` arguments are already JSON string
 * literals (the deriver quotes each symbol once), `timestamp` is record-form text that needs no
 * escaping.
 */
export class RecordJson {
  /** `,"session":"…","seq":`: every record ends with it and its seq. */
  private readonly tail: string;
  private readonly sides = new WeakMap<OrderBook, { bids: SideText; asks: SideText }>();

  /** One scratch array for every join: records are built one at a time. */
  private readonly p: string[] = [];

  constructor(readonly session: string) {
    this.tail = `,"session":${jsonString(session)},"seq":`;
  }

  private join(): string {
    const text = this.p.join('');
    this.p.length = 0;
    return text;
  }

  l2(symbol: string, timestamp: string, book: OrderBook, depth: number, seq: number): string {
    let text = this.sides.get(book);
    if (text === undefined) {
      text = { bids: new SideText(depth), asks: new SideText(depth) };
      this.sides.set(book, text);
    }
    const bids = text.bids;
    const asks = text.asks;
    bids.update(book, 'B', depth);
    asks.update(book, 'A', depth);
    const bid = book.priceAt('B', 0);
    const ask = book.priceAt('A', 0);
    const both = !Number.isNaN(bid) && !Number.isNaN(ask); // NaN marks an empty side
    this.p.push(
      '{"symbol":',
      symbol,
      ',"timestamp":"',
      timestamp,
      '","bids":',
      bids.json,
      ',"asks":',
      asks.json,
      ',"total_bid_size":',
      String(bids.total),
      ',"total_ask_size":',
      String(asks.total),
      ',"spread":',
      both ? String(spread(ask, bid)) : 'null',
      ',"mid_price":',
      both ? String(mid(ask, bid)) : 'null',
      this.tail,
      String(seq),
      '}',
    );
    return this.join();
  }

  l1(
    symbol: string,
    timestamp: string,
    bid: number | null,
    bidSize: number | null,
    ask: number | null,
    askSize: number | null,
    seq: number,
  ): string {
    const both = bid !== null && ask !== null;
    this.p.push(
      '{"symbol":',
      symbol,
      ',"timestamp":"',
      timestamp,
      '","bid":',
      jsonNumber(bid),
      ',"bid_size":',
      jsonNumber(bidSize),
      ',"ask":',
      jsonNumber(ask),
      ',"ask_size":',
      jsonNumber(askSize),
      ',"spread":',
      both ? String(spread(ask, bid)) : 'null',
      ',"mid_price":',
      both ? String(mid(ask, bid)) : 'null',
      this.tail,
      String(seq),
      '}',
    );
    return this.join();
  }

  tick(
    symbol: string,
    timestamp: string,
    price: number,
    size: number | null,
    conditions: string | null,
    marketCenter: number | null,
    totalVolume: number | null,
    tickId: number | null,
    seq: number,
  ): string {
    this.p.push(
      '{"symbol":',
      symbol,
      ',"timestamp":"',
      timestamp,
      '","price":',
      jsonNumber(price),
      ',"size":',
      jsonNumber(size),
      ',"conditions":',
      conditions === null ? 'null' : jsonString(conditions),
      ',"market_center":',
      jsonNumber(marketCenter),
      ',"total_volume":',
      jsonNumber(totalVolume),
      ',"tick_id":',
      jsonNumber(tickId),
      this.tail,
      String(seq),
      '}',
    );
    return this.join();
  }

  gap(
    symbol: string,
    timestamp: string,
    gapEnd: string,
    durationUs: number,
    reason: GapReason,
    channel: 'L1' | 'L2',
    seq: number,
  ): string {
    return (
      `{"symbol":${symbol},"timestamp":"${timestamp}","gap_end":"${gapEnd}","duration_us":${jsonNumber(durationUs)},` +
      `"reason":"${reason}","channel":"${channel}"${this.tail}${seq}}`
    );
  }
}

/**
 * A record on its way to the sinks. The deriver writes its JSONL line as bytes (record-bytes.ts)
 * and the JSON text is decoded from them only when a sink asks (JSONL never does); the object
 * form is parsed from the JSON only when a sink asks for it. So the hot path builds no level
 * objects and no long-lived strings, and every sink sees exactly the values the bytes hold.
 *
 * Neither the text nor the object is kept on the envelope: an envelope waits in a sink's batch
 * until the service acknowledged it, long enough to outlive V8's young generation, and a kept
 * ~800-byte string or object tree per record was copied and promoted by every collection while
 * it waited (with ClickHouse and Kafka catching up, a fifth of the collector's CPU was GC). A
 * sink that reads the JSON twice decodes it twice, which costs less.
 */
export class Envelope<K extends RecordKind = RecordKind> implements RecordEnvelope<K> {
  private readonly text: string | null;
  readonly lineBytes: Buffer | null;
  readonly lineStart: number;
  readonly lineEnd: number;

  /**
   * From the record's JSON text, or (`json` null) from its JSONL line in `bytes[start, end)`,
   * the JSON's UTF-8 followed by `\n`.
   */
  constructor(
    readonly kind: K,
    readonly symbol: string,
    readonly seq: number,
    readonly day: string,
    json: string | null,
    bytes: Buffer | null = null,
    start = 0,
    end = 0,
  ) {
    this.text = json;
    this.lineBytes = json === null ? bytes : null;
    this.lineStart = start;
    this.lineEnd = end;
    if (json === null && bytes === null) throw new RangeError('an envelope needs its JSON or its bytes');
  }

  get json(): string {
    return this.text ?? this.lineBytes!.toString('utf8', this.lineStart, this.lineEnd - 1);
  }

  get record(): RecordByKind[K] {
    return JSON.parse(this.json) as RecordByKind[K];
  }
}

/**
 * The record's JSON as UTF-8: a view of its JSONL line's bytes where the deriver wrote them (no
 * copy, no string), else its text encoded.
 */
export function recordJsonBytes(env: RecordEnvelope): Buffer {
  return env.lineBytes !== null
    ? env.lineBytes.subarray(env.lineStart, env.lineEnd - 1)
    : Buffer.from(env.json, 'utf8');
}
