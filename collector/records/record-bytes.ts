/**
 * Record JSON written straight into bytes: the text `RecordJson` (json.ts) builds, byte for byte
 * its UTF-8 form, followed by the `\n` that ends a JSONL line.
 *
 * Why bytes: a record waits in a sink queue for its journal line's fdatasync and then for its
 * batch, long enough to outlive V8's young generation. As a JS string (≈ 500 bytes for an L2
 * record of depth 10) every record was copied by the scavenger, promoted, marked, and then
 * encoded to UTF-8 once more by the sink; at a few hundred thousand records a second that was
 * a third of the collector's CPU. Here a record is written once, into an off-heap chunk of its
 * symbol and kind shared with the records that follow it, and the JSONL sink writes those bytes
 * to its files as they lie, a run of a file's lines at a time. A chunk is freed by the GC once
 * no envelope refers to it.
 *
 * The book side text is kept per book side and rebuilt from the first level that changed, and a
 * level that only moved rank (an insert or delete above it) keeps its `price` and `size` text,
 * so most messages format one or two numbers.
 */
import type { OrderBook, Side } from '../books/types.js';
import { mid, spread } from '../protocol/decimal.js';
import { jsonString } from './json.js';

/**
 * Each (symbol, kind) stream has its own chunk, so the lines of one JSONL file lie side by side
 * and the sink writes them a run at a time. A chunk costs several microseconds to allocate and
 * free whatever its size, so chunks are as large as the memory they may pin allows: about
 * `CHUNKS_BUDGET` in all (a quiet stream holds its chunk for long), within these bounds.
 */
const CHUNK_MIN = 16 * 1024;
const CHUNK_MAX = 256 * 1024;
const CHUNKS_BUDGET = 8 * 1024 * 1024;

/** The chunk size for a deriver watching `symbols` symbols (three busy kinds each). */
export function chunkBytesFor(symbols: number): number {
  const share = CHUNKS_BUDGET / (3 * Math.max(1, symbols));
  let size = CHUNK_MIN;
  while (size * 2 <= Math.min(share, CHUNK_MAX)) size *= 2;
  return size;
}

/** Longest text `String(n)` gives for a double (`-1.2345678901234567e-100`), with margin. */
const NUMBER_MAX = 26;
/** Longest text of one level `,{"price":P,"size":S,"level":N}` at any depth. */
const LEVEL_MAX = 24 + 2 * NUMBER_MAX + 12;

const utf8 = (text: string): Buffer => Buffer.from(text, 'utf8');

const L2_BIDS = utf8('","bids":');
const L2_ASKS = utf8(',"asks":');
const L2_TOTAL_BID = utf8(',"total_bid_size":');
const L2_TOTAL_ASK = utf8(',"total_ask_size":');
const SPREAD = utf8(',"spread":');
const MID = utf8(',"mid_price":');
const L1_BID = utf8('","bid":');
const L1_BID_SIZE = utf8(',"bid_size":');
const L1_ASK = utf8(',"ask":');
const L1_ASK_SIZE = utf8(',"ask_size":');
const TICK_PRICE = utf8('","price":');
const TICK_SIZE = utf8(',"size":');
const TICK_CONDITIONS = utf8(',"conditions":');
const TICK_MARKET_CENTER = utf8(',"market_center":');
const TICK_TOTAL_VOLUME = utf8(',"total_volume":');
const TICK_ID = utf8(',"tick_id":');
const LEVEL_FIRST = utf8('{"price":');
const LEVEL_NEXT = utf8(',{"price":');
const LEVEL_SIZE = utf8(',"size":');
const LEVEL_RANK = utf8(',"level":');
const END_LINE = utf8('}\n');

function put(buf: Uint8Array, pos: number, bytes: Uint8Array): number {
  const n = bytes.length;
  // A byte loop costs about a nanosecond and a half a byte, `set` a fixed fifteen or so.
  if (n > 12) buf.set(bytes, pos);
  else for (let i = 0; i < n; i++) buf[pos + i] = bytes[i];
  return pos + n;
}

/** Text known to be ASCII (numbers, timestamps, fixed words). */
function ascii(buf: Uint8Array, pos: number, text: string): number {
  const n = text.length;
  for (let i = 0; i < n; i++) buf[pos + i] = text.charCodeAt(i);
  return pos + n;
}

/** Any text, as UTF-8 (a latin1 character above 0x7F takes two bytes). */
function anyText(buf: Buffer, pos: number, text: string): number {
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) > 0x7f) return pos + buf.write(text, pos, 'utf8');
  }
  return ascii(buf, pos, text);
}

/**
 * `String(n)` as bytes; whole numbers below 2^53 are written digit by digit (no string), which
 * gives the same text: `String` writes such numbers without exponent or fraction.
 */
function number(buf: Uint8Array, pos: number, n: number): number {
  if (!(n >= 0 && n <= Number.MAX_SAFE_INTEGER && Math.floor(n) === n)) return ascii(buf, pos, String(n));
  if (n < 10) {
    buf[pos] = 48 + n;
    return pos + 1;
  }
  let digits = 1;
  for (let p = 10; p <= n; p *= 10) digits++;
  let v = n;
  for (let i = pos + digits - 1; i >= pos; i--) {
    const q = Math.floor(v / 10);
    buf[i] = 48 + (v - q * 10);
    v = q;
  }
  return pos + digits;
}

/** A JSON number or null; a non-finite value is a bug upstream (as `jsonNumber`). */
function jsonNumber(buf: Uint8Array, pos: number, n: number | null): number {
  if (n === null) return put(buf, pos, NULL);
  if (!Number.isFinite(n)) throw new RangeError(`record field is not a finite number: ${n}`);
  return number(buf, pos, n);
}

const NULL = utf8('null');
const EMPTY = Buffer.alloc(0);

/**
 * One book side's levels as JSON text (`[{"price":…,"size":…,"level":1},…]`), remembered between
 * records. Books are only read here, never trusted to say what changed.
 */
class SideBytes {
  /** Levels in the text; -1 before the first update. */
  n = -1;
  total = 0;
  /** The text: `buf[0, length)`, also as `view` (kept for whole-text copies without allocating). */
  view: Uint8Array;
  private readonly buf: Buffer;
  /** Where the second half of `buf` begins: the old text is moved there while rebuilding. */
  private readonly scratch: number;
  private prices: Float64Array;
  private sizes: Float64Array;
  /** `[psStart, psEnd)` of each level is its `P,"size":S` text, which moves with the level. */
  private psStart: Int32Array;
  private psEnd: Int32Array;
  private oldPrices: Float64Array;
  private oldSizes: Float64Array;
  private oldPsStart: Int32Array;
  private oldPsEnd: Int32Array;
  /** Where level `rank`'s text begins (its leading comma included). */
  private readonly starts: Int32Array;
  private length = 2;

  constructor(depth: number) {
    this.scratch = 2 + depth * LEVEL_MAX;
    this.buf = Buffer.allocUnsafe(2 * this.scratch);
    this.buf[0] = 91; // [
    this.buf[1] = 93; // ]
    this.view = this.buf.subarray(0, 2);
    this.prices = new Float64Array(depth);
    this.sizes = new Float64Array(depth);
    this.psStart = new Int32Array(depth);
    this.psEnd = new Int32Array(depth);
    this.oldPrices = new Float64Array(depth);
    this.oldSizes = new Float64Array(depth);
    this.oldPsStart = new Int32Array(depth);
    this.oldPsEnd = new Int32Array(depth);
    this.starts = new Int32Array(depth + 1);
    this.starts[0] = 1;
  }

  get byteLength(): number {
    return this.length;
  }

  update(book: OrderBook, side: Side, depth: number): void {
    const n = Math.min(depth, book.levelCount(side));
    const oldN = this.n;
    const common = Math.min(n, oldN);
    let r0 = 0;
    while (
      r0 < common &&
      book.priceAt(side, r0) === this.prices[r0] &&
      book.sizeAt(side, r0) === this.sizes[r0]
    )
      r0++;
    if (r0 === n && n === oldN) return;
    // Keep the old arrays for the levels that move; the unchanged prefix stays where it is.
    const op = this.prices;
    const os = this.sizes;
    const ops = this.psStart;
    const ope = this.psEnd;
    this.prices = this.oldPrices;
    this.sizes = this.oldSizes;
    this.psStart = this.oldPsStart;
    this.psEnd = this.oldPsEnd;
    this.oldPrices = op;
    this.oldSizes = os;
    this.oldPsStart = ops;
    this.oldPsEnd = ope;
    const prices = this.prices;
    const sizes = this.sizes;
    const psStart = this.psStart;
    const psEnd = this.psEnd;
    for (let r = 0; r < r0; r++) {
      prices[r] = op[r];
      sizes[r] = os[r];
      psStart[r] = ops[r];
      psEnd[r] = ope[r];
    }
    const buf = this.buf;
    const from = this.starts[r0];
    const oldLevels = Math.max(0, oldN);
    // The old text of the levels from r0 on, moved out of the way of the new text.
    const delta = this.scratch - from;
    if (oldLevels > r0) buf.copyWithin(this.scratch, from, this.starts[oldLevels]);
    let pos = from;
    let total = 0;
    for (let r = 0; r < r0; r++) total += sizes[r];
    for (let r = r0; r < n; r++) {
      const price = book.priceAt(side, r);
      const size = book.sizeAt(side, r);
      total += size;
      this.starts[r] = pos;
      pos = put(buf, pos, r === 0 ? LEVEL_FIRST : LEVEL_NEXT);
      prices[r] = price;
      sizes[r] = size;
      psStart[r] = pos;
      // A level that moved by one rank (an insert or delete above it) keeps its text.
      let j = -1;
      if (r < oldLevels && op[r] === price && os[r] === size) j = r;
      else if (r + 1 < oldLevels && op[r + 1] === price && os[r + 1] === size) j = r + 1;
      else if (r > 0 && r - 1 < oldLevels && op[r - 1] === price && os[r - 1] === size) j = r - 1;
      if (j >= 0) {
        // Levels before r0 are still in place; the others were moved to the scratch half.
        const shift = j < r0 ? 0 : delta;
        const a = ops[j] + shift;
        const e = ope[j] + shift;
        buf.copyWithin(pos, a, e);
        pos += e - a;
      } else {
        pos = ascii(buf, pos, String(price));
        pos = put(buf, pos, LEVEL_SIZE);
        pos = ascii(buf, pos, String(size));
      }
      psEnd[r] = pos;
      pos = put(buf, pos, LEVEL_RANK);
      pos = number(buf, pos, r + 1);
      buf[pos++] = 125; // }
    }
    this.starts[n] = pos;
    buf[pos++] = 93; // ]
    this.length = pos;
    this.view = buf.subarray(0, pos);
    this.n = n;
    this.total = total;
  }
}

interface BookText {
  readonly bids: SideBytes;
  readonly asks: SideBytes;
  /** The last best bid and ask, and the spread and mid text they gave. */
  bid: number;
  ask: number;
  spread: string;
  mid: string;
}

/** The chunk a stream of records is being written into, and where its last line ends. */
interface StreamChunk {
  chunk: Buffer | null;
  end: number;
}

/** What `RecordBytes` keeps per symbol: the start every record shares and a chunk per kind. */
export class SymbolLines {
  /** `{"symbol":<symbol>,"timestamp":"`, as bytes. */
  readonly prefix: Buffer;
  readonly l2: StreamChunk = { chunk: null, end: 0 };
  readonly l1: StreamChunk = { chunk: null, end: 0 };
  readonly ticks: StreamChunk = { chunk: null, end: 0 };
  readonly gaps: StreamChunk = { chunk: null, end: 0 };

  /** `symbol`: the symbol as a JSON string literal. */
  constructor(symbol: string) {
    this.prefix = utf8(`{"symbol":${symbol},"timestamp":"`);
  }
}

/**
 * Writes each record kind of one session as a JSONL line into its symbol's chunk for that kind.
 * After each call, `chunk`, `start` and `end` say where the line is. `timestamp` is record-form
 * ASCII text.
 */
export class RecordBytes {
  chunk: Buffer = EMPTY;
  start = 0;
  end = 0;
  private readonly chunkBytes: number;
  /** `,"session":"…","seq":`: every record ends with it, its seq and `}`. */
  private readonly tail: Buffer;
  private readonly books = new WeakMap<OrderBook, BookText>();

  constructor(
    readonly session: string,
    chunkBytes = CHUNK_MIN,
  ) {
    this.tail = utf8(`,"session":${jsonString(session)},"seq":`);
    this.chunkBytes = chunkBytes;
  }

  l2(sym: SymbolLines, timestamp: string, book: OrderBook, depth: number, seq: number): void {
    let text = this.books.get(book);
    if (text === undefined) {
      text = {
        bids: new SideBytes(depth),
        asks: new SideBytes(depth),
        bid: Number.NaN,
        ask: Number.NaN,
        spread: '',
        mid: '',
      };
      this.books.set(book, text);
    }
    const bids = text.bids;
    const asks = text.asks;
    bids.update(book, 'B', depth);
    asks.update(book, 'A', depth);
    const bid = book.priceAt('B', 0);
    const ask = book.priceAt('A', 0);
    const both = !Number.isNaN(bid) && !Number.isNaN(ask); // NaN marks an empty side
    if (both && (bid !== text.bid || ask !== text.ask)) {
      text.bid = bid;
      text.ask = ask;
      text.spread = String(spread(ask, bid));
      text.mid = String(mid(ask, bid));
    }
    const prefix = sym.prefix;
    const buf = this.reserve(
      sym.l2,
      prefix.length +
        timestamp.length +
        bids.byteLength +
        asks.byteLength +
        6 * NUMBER_MAX +
        128 +
        this.tail.length,
    );
    let pos = put(buf, this.start, prefix);
    pos = ascii(buf, pos, timestamp);
    pos = put(buf, pos, L2_BIDS);
    buf.set(bids.view, pos);
    pos += bids.byteLength;
    pos = put(buf, pos, L2_ASKS);
    buf.set(asks.view, pos);
    pos += asks.byteLength;
    pos = put(buf, pos, L2_TOTAL_BID);
    pos = number(buf, pos, bids.total);
    pos = put(buf, pos, L2_TOTAL_ASK);
    pos = number(buf, pos, asks.total);
    pos = put(buf, pos, SPREAD);
    pos = both ? ascii(buf, pos, text.spread) : put(buf, pos, NULL);
    pos = put(buf, pos, MID);
    pos = both ? ascii(buf, pos, text.mid) : put(buf, pos, NULL);
    this.finish(sym.l2, buf, pos, seq);
  }

  l1(
    sym: SymbolLines,
    timestamp: string,
    bid: number | null,
    bidSize: number | null,
    ask: number | null,
    askSize: number | null,
    seq: number,
  ): void {
    const prefix = sym.prefix;
    const buf = this.reserve(
      sym.l1,
      prefix.length + timestamp.length + 6 * NUMBER_MAX + 128 + this.tail.length,
    );
    let pos = put(buf, this.start, prefix);
    pos = ascii(buf, pos, timestamp);
    pos = put(buf, pos, L1_BID);
    pos = jsonNumber(buf, pos, bid);
    pos = put(buf, pos, L1_BID_SIZE);
    pos = jsonNumber(buf, pos, bidSize);
    pos = put(buf, pos, L1_ASK);
    pos = jsonNumber(buf, pos, ask);
    pos = put(buf, pos, L1_ASK_SIZE);
    pos = jsonNumber(buf, pos, askSize);
    const both = bid !== null && ask !== null;
    pos = put(buf, pos, SPREAD);
    pos = both ? ascii(buf, pos, String(spread(ask, bid))) : put(buf, pos, NULL);
    pos = put(buf, pos, MID);
    pos = both ? ascii(buf, pos, String(mid(ask, bid))) : put(buf, pos, NULL);
    this.finish(sym.l1, buf, pos, seq);
  }

  tick(
    sym: SymbolLines,
    timestamp: string,
    price: number,
    size: number | null,
    conditions: string | null,
    marketCenter: number | null,
    totalVolume: number | null,
    tickId: number | null,
    seq: number,
  ): void {
    const prefix = sym.prefix;
    const quoted = conditions === null ? null : jsonString(conditions);
    // At most three UTF-8 bytes per UTF-16 unit (two for the latin1 text a feed sends).
    const textBytes = quoted === null ? 4 : 3 * quoted.length;
    const buf = this.reserve(
      sym.ticks,
      prefix.length + timestamp.length + textBytes + 5 * NUMBER_MAX + 160 + this.tail.length,
    );
    let pos = put(buf, this.start, prefix);
    pos = ascii(buf, pos, timestamp);
    pos = put(buf, pos, TICK_PRICE);
    pos = jsonNumber(buf, pos, price);
    pos = put(buf, pos, TICK_SIZE);
    pos = jsonNumber(buf, pos, size);
    pos = put(buf, pos, TICK_CONDITIONS);
    pos = quoted === null ? put(buf, pos, NULL) : anyText(buf, pos, quoted);
    pos = put(buf, pos, TICK_MARKET_CENTER);
    pos = jsonNumber(buf, pos, marketCenter);
    pos = put(buf, pos, TICK_TOTAL_VOLUME);
    pos = jsonNumber(buf, pos, totalVolume);
    pos = put(buf, pos, TICK_ID);
    pos = jsonNumber(buf, pos, tickId);
    this.finish(sym.ticks, buf, pos, seq);
  }

  /** A gap record, already built as JSON text (gaps are rare, so built the simple way). */
  gap(sym: SymbolLines, json: string): void {
    const buf = this.reserve(sym.gaps, 3 * json.length + 2);
    const pos = anyText(buf, this.start, json);
    buf[pos] = 10;
    this.end = pos + 1;
    sym.gaps.end = this.end;
  }

  /** Room for `bound` bytes after the stream's last line, in a new chunk if need be. */
  private reserve(stream: StreamChunk, bound: number): Buffer {
    let chunk = stream.chunk;
    if (chunk === null || stream.end + bound > chunk.length) {
      chunk = Buffer.allocUnsafe(Math.max(this.chunkBytes, bound));
      stream.chunk = chunk;
      stream.end = 0;
    }
    this.chunk = chunk;
    this.start = stream.end;
    return chunk;
  }

  private finish(stream: StreamChunk, buf: Buffer, at: number, seq: number): void {
    let pos = put(buf, at, this.tail);
    pos = number(buf, pos, seq);
    this.end = put(buf, pos, END_LINE);
    stream.end = this.end;
  }
}
