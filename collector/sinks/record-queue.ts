/**
 * A sink's live queue: a FIFO of records in the order the deriver emitted them, bounded in
 * records and in bytes (what its records take in memory: an L2 record is ten times an L1 one,
 * so a count alone does not bound memory), which also knows its smallest seq in O(1) (a
 * summary-burst record can arrive after records of later seqs, and a checkpoint must never
 * claim a seq that still waits in the queue). Its places grow with what it holds, up to its
 * capacity, and shrink again as it drains: a queue allowed millions of records costs little
 * while its sink keeps up. Each place is ~50 bytes of columns, which the byte bound (the
 * records' lines) does not count: the capacity bounds them.
 *
 * It keeps a record as columns (seq, kind, symbol, day, where its JSONL line lies in the
 * deriver's byte chunk), not as the envelope object it was offered: a sink far behind holds
 * hundreds of thousands of records, and as objects every one of them was copied through the
 * young generation and marked by every major GC (traced: the main thread's scavenges took
 * 1.98–2.24 s a three-sink run with objects, 1.25–1.88 with columns). The envelopes `take`
 * returns are new, short-lived ones over the same bytes. An envelope made from a JSON string
 * (no bytes) is kept as it is.
 */
import { Envelope } from '../records/json.js';
import { RECORD_KINDS, type RecordEnvelope, type RecordKind } from '../records/types.js';

/** Bytes a record holds in memory: its JSONL line (or, for a string envelope, its text). */
export function recordBytes(r: RecordEnvelope): number {
  return r.lineBytes !== null ? r.lineEnd - r.lineStart : r.json.length + 1;
}

const KIND_INDEX: ReadonlyMap<RecordKind, number> = new Map(RECORD_KINDS.map((k, i) => [k, i]));

/** Strings seen (symbols, days) by number, so a column holds a number. */
class Interned {
  private readonly ids = new Map<string, number>();
  readonly values: string[] = [];

  id(s: string): number {
    let id = this.ids.get(s);
    if (id === undefined) {
      id = this.values.length;
      this.values.push(s);
      this.ids.set(s, id);
    }
    return id;
  }
}

export class RecordQueue {
  // Ring columns of `slots` places; the record at absolute position p sits at `p % slots`.
  private seqs = new Float64Array(0);
  private kinds = new Uint8Array(0);
  private symbolIds = new Uint32Array(0);
  private dayIds = new Uint32Array(0);
  private starts = new Float64Array(0);
  private ends = new Float64Array(0);
  /** Absolute number of the chunk holding the record's line (−1: a string envelope, in `objects`). */
  private chunkNos = new Float64Array(0);
  private head = 0; // absolute position of the first record
  private tail = 0; // absolute position after the last record
  /**
   * The chunks lines lie in, one entry per run of records in the same chunk (each symbol and kind
   * has its own, so entries come about as often as the symbol changes): entry number k sits at
   * `chunks[k - chunkBase]`, from `chunkFront` on; entries before the front record's are let go.
   */
  private chunks: (Buffer | undefined)[] = [];
  private chunkBase = 0;
  private chunkFront = 0;
  /** String envelopes (no bytes to point into), by absolute position. */
  private readonly objects = new Map<number, RecordEnvelope>();
  private readonly symbols = new Interned();
  private readonly days = new Interned();
  // Positions whose seqs increase from front to back: the front is the queue's minimum.
  private minPos = new Float64Array(0);
  private minHead = 0;
  private minTail = 0;
  private bytes = 0;

  /**
   * `maxBytes`: a record that would take the queue past it is refused (unless the queue is empty).
   * `initialSlots`: places held before the queue first grows (doubling, up to `capacity`).
   */
  constructor(
    readonly capacity: number,
    readonly maxBytes = Number.POSITIVE_INFINITY,
    private readonly initialSlots = 4096,
  ) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new RangeError(`queue capacity must be ≥ 1, got ${capacity}`);
    if (!(maxBytes > 0)) throw new RangeError(`queue byte bound must be > 0, got ${maxBytes}`);
    if (!Number.isInteger(initialSlots) || initialSlots < 1)
      throw new RangeError(`queue initial slots must be ≥ 1, got ${initialSlots}`);
    this.resize(Math.min(capacity, initialSlots));
  }

  get length(): number {
    return this.tail - this.head;
  }

  /** Places in each column (they are all as long). */
  private get slots(): number {
    return this.seqs.length;
  }

  /** Places the columns hold now (they grow as the queue fills and shrink as it drains). */
  get slotCount(): number {
    return this.slots;
  }

  /** Chunk entries held for queued records' lines (one per run of records in the same chunk). */
  get chunkEntries(): number {
    return this.chunks.length - this.chunkFront;
  }

  /** Bytes of the records queued (`recordBytes`). */
  get byteLength(): number {
    return this.bytes;
  }

  /** Append; false (and nothing changes) when the queue is full, in records or in bytes. */
  push(record: RecordEnvelope): boolean {
    const n = this.tail - this.head;
    if (n >= this.capacity) return false;
    const size = recordBytes(record);
    if (n > 0 && this.bytes + size > this.maxBytes) return false;
    if (n === this.slots) this.resize(Math.min(this.capacity, this.slots * 2));
    this.bytes += size;
    const pos = this.tail++;
    const i = pos % this.slots;
    this.seqs[i] = record.seq;
    if (record.lineBytes === null) {
      this.chunkNos[i] = -1;
      this.objects.set(pos, record);
    } else {
      const kind = KIND_INDEX.get(record.kind);
      if (kind === undefined) throw new RangeError(`record seq ${record.seq}: unknown kind ${record.kind}`);
      this.kinds[i] = kind;
      this.symbolIds[i] = this.symbols.id(record.symbol);
      this.dayIds[i] = this.days.id(record.day);
      this.starts[i] = record.lineStart;
      this.ends[i] = record.lineEnd;
      this.chunkNos[i] = this.chunkNumber(record.lineBytes);
    }
    while (
      this.minTail > this.minHead &&
      this.seqAt(this.minPos[(this.minTail - 1) % this.slots]!) >= record.seq
    )
      this.minTail--;
    this.minPos[this.minTail++ % this.slots] = pos;
    return true;
  }

  /** The smallest seq queued, Infinity when empty. */
  minSeq(): number {
    return this.minTail > this.minHead
      ? this.seqAt(this.minPos[this.minHead % this.slots]!)
      : Number.POSITIVE_INFINITY;
  }

  /** The seq of the record `i` places from the front (0 = the next one out). */
  peekSeq(i = 0): number | undefined {
    return i < this.length ? this.seqAt(this.head + i) : undefined;
  }

  /** How many records from the front have seq ≤ `limit`, counting at most `max`. */
  eligible(limit: number, max: number): number {
    const n = Math.min(this.length, max);
    for (let i = 0; i < n; i++) if (this.seqAt(this.head + i) > limit) return i;
    return n;
  }

  /** Remove and return the first `n` records. */
  take(n: number): RecordEnvelope[] {
    const count = Math.min(n, this.length);
    const out: RecordEnvelope[] = new Array(count);
    for (let k = 0; k < count; k++) {
      const pos = this.head++;
      const r = this.envelopeAt(pos);
      out[k] = r;
      this.bytes -= recordBytes(r);
      if (this.chunkNos[pos % this.slots] === -1) this.objects.delete(pos);
      if (this.minTail > this.minHead && this.minPos[this.minHead % this.slots] === pos) this.minHead++;
    }
    this.dropUnusedChunks();
    // A backlog's worth of slots is given back once it has drained: a queue that grew to millions
    // of places while its sink was behind does not keep them (tens of MB) after it caught up.
    let slots = this.slots;
    while (slots > this.initialSlots && this.length * 4 <= slots)
      slots = Math.max(this.initialSlots, slots >>> 1);
    if (slots !== this.slots) this.resize(slots);
    return out;
  }

  /** Empty, and back to the initial slots (a backlog's worth of places is not kept). */
  clear(): void {
    this.head = this.tail = 0;
    this.minHead = this.minTail = 0;
    this.bytes = 0;
    this.chunks = [];
    this.chunkBase = 0;
    this.chunkFront = 0;
    this.objects.clear();
    this.resize(Math.min(this.capacity, this.initialSlots));
  }

  private seqAt(pos: number): number {
    return this.seqs[pos % this.slots]!;
  }

  private envelopeAt(pos: number): RecordEnvelope {
    const i = pos % this.slots;
    const chunkNo = this.chunkNos[i]!;
    if (chunkNo === -1) return this.objects.get(pos)!;
    const chunk = this.chunks[chunkNo - this.chunkBase];
    if (chunk === undefined) throw new Error(`record queue: the chunk of seq ${this.seqs[i]} was let go`);
    return new Envelope(
      RECORD_KINDS[this.kinds[i]!]!,
      this.symbols.values[this.symbolIds[i]!]!,
      this.seqs[i]!,
      this.days.values[this.dayIds[i]!]!,
      null,
      chunk,
      this.starts[i]!,
      this.ends[i]!,
    );
  }

  /** The number of `chunk` among the chunks held: the last one again, else a new last one. */
  private chunkNumber(chunk: Buffer): number {
    const last = this.chunks.length - 1;
    if (last >= 0 && this.chunks[last] === chunk) return this.chunkBase + last;
    this.chunks.push(chunk);
    return this.chunkBase + last + 1;
  }

  /** Let go of chunks before the one the front record's line lies in (chunk numbers only grow). */
  private dropUnusedChunks(): void {
    let keepFrom = this.chunkBase + this.chunks.length; // past every entry: no queued record has bytes
    for (let pos = this.head; pos < this.tail; pos++) {
      const no = this.chunkNos[pos % this.slots]!;
      if (no !== -1) {
        keepFrom = no;
        break;
      }
    }
    const front = keepFrom - this.chunkBase;
    if (front <= this.chunkFront) return;
    this.chunks.fill(undefined, this.chunkFront, front);
    this.chunkFront = front;
    // Shift the array only once half of it is let go: amortised O(1) a take.
    if (this.chunkFront * 2 >= this.chunks.length) {
      this.chunks = this.chunks.slice(this.chunkFront);
      this.chunkBase += this.chunkFront;
      this.chunkFront = 0;
    }
  }

  /** Move to `slots` places (≥ the length), each record and min-position to its new place. */
  private resize(slots: number): void {
    const [h, t] = [this.head, this.tail];
    this.seqs = moveRing(this.seqs, new Float64Array(slots), h, t);
    this.kinds = moveRing(this.kinds, new Uint8Array(slots), h, t);
    this.symbolIds = moveRing(this.symbolIds, new Uint32Array(slots), h, t);
    this.dayIds = moveRing(this.dayIds, new Uint32Array(slots), h, t);
    this.starts = moveRing(this.starts, new Float64Array(slots), h, t);
    this.ends = moveRing(this.ends, new Float64Array(slots), h, t);
    this.chunkNos = moveRing(this.chunkNos, new Float64Array(slots), h, t);
    this.minPos = moveRing(this.minPos, new Float64Array(slots), this.minHead, this.minTail);
  }
}

/**
 * `to` holding the entries of ring `from` at positions [first, end), each at its place in `to`.
 * Copied a contiguous run at a time (at most three runs): an element loop with two modulos an
 * entry was 2–3 % of the collector's CPU in a three-sink run, its queues growing to 1M places.
 */
function moveRing<T extends Float64Array | Uint32Array | Uint8Array>(
  from: T,
  to: T,
  first: number,
  end: number,
): T {
  for (let p = first; p < end; ) {
    const fi = p % from.length;
    const ti = p % to.length;
    const n = Math.min(end - p, from.length - fi, to.length - ti);
    to.set(from.subarray(fi, fi + n), ti);
    p += n;
  }
  return to;
}
