/**
 * A sink's live queue: a FIFO of records in the order the deriver emitted them, bounded in
 * records and in bytes (what its records take in memory: an L2 record is ten times an L1 one,
 * so a count alone does not bound memory), which also knows its smallest seq in O(1) (a
 * summary-burst record can arrive after records of later seqs, and a checkpoint must never
 * claim a seq that still waits in the queue). Its slots grow with what it holds, up to its
 * capacity: a queue allowed millions of records costs nothing while the sink keeps up.
 */
import type { RecordEnvelope } from '../records/types.js';

/** Bytes a record holds in memory: its JSONL line (or, for a string envelope, its text). */
export function recordBytes(r: RecordEnvelope): number {
  return r.lineBytes !== null ? r.lineEnd - r.lineStart : r.json.length + 1;
}

export class RecordQueue {
  /** Ring of `slots` places; an item at absolute position p sits at `p % slots`. */
  private items: (RecordEnvelope | undefined)[] = [];
  private slots = 0;
  private head = 0; // absolute position of the first item
  private tail = 0; // absolute position after the last item
  // Positions whose seqs increase from front to back: the front is the queue's minimum.
  private minPos: number[] = [];
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
    const cap = this.slots;
    this.bytes += size;
    const pos = this.tail++;
    this.items[pos % cap] = record;
    while (this.minTail > this.minHead && this.at(this.minPos[(this.minTail - 1) % cap]).seq >= record.seq)
      this.minTail--;
    this.minPos[this.minTail++ % cap] = pos;
    return true;
  }

  /** The smallest seq queued, Infinity when empty. */
  minSeq(): number {
    return this.minTail > this.minHead
      ? this.at(this.minPos[this.minHead % this.slots]).seq
      : Number.POSITIVE_INFINITY;
  }

  /** The record `i` places from the front (0 = the next one out). */
  peek(i = 0): RecordEnvelope | undefined {
    return i < this.length ? this.items[(this.head + i) % this.slots] : undefined;
  }

  /** How many records from the front have seq ≤ `limit`, counting at most `max`. */
  eligible(limit: number, max: number): number {
    const n = Math.min(this.length, max);
    for (let i = 0; i < n; i++) if (this.items[(this.head + i) % this.slots]!.seq > limit) return i;
    return n;
  }

  /** Remove and return the first `n` records. */
  take(n: number): RecordEnvelope[] {
    const out: RecordEnvelope[] = [];
    const cap = this.slots;
    for (let k = Math.min(n, this.length); k > 0; k--) {
      const pos = this.head++;
      const r = this.items[pos % cap]!;
      out.push(r);
      this.bytes -= recordBytes(r);
      this.items[pos % cap] = undefined;
      if (this.minTail > this.minHead && this.minPos[this.minHead % cap] === pos) this.minHead++;
    }
    return out;
  }

  /** Empty, and back to the initial slots (a backlog's worth of places is not kept). */
  clear(): void {
    this.head = this.tail = 0;
    this.minHead = this.minTail = 0;
    this.bytes = 0;
    this.slots = 0;
    this.resize(Math.min(this.capacity, this.initialSlots));
  }

  private at(pos: number): RecordEnvelope {
    return this.items[pos % this.slots]!;
  }

  /** Move to `slots` places (≥ the length), each item and min-position to its new place. */
  private resize(slots: number): void {
    const items = new Array<RecordEnvelope | undefined>(slots).fill(undefined);
    const minPos = new Array<number>(slots).fill(0);
    for (let p = this.head; p < this.tail; p++) items[p % slots] = this.items[p % this.slots];
    for (let i = this.minHead; i < this.minTail; i++) minPos[i % slots] = this.minPos[i % this.slots]!;
    this.items = items;
    this.minPos = minPos;
    this.slots = slots;
  }
}
