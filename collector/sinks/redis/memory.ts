/**
 * What the Redis sink remembers of what it wrote, so that a Redis that comes back (possibly
 * empty: a server without persistence loses everything) can be brought back to "now" without
 * the journal: the last record per (kind, symbol) is exactly the latest state, and the last N
 * records per kind are exactly what each stream should hold.
 *
 * Memory is bounded: one record per (kind, symbol) plus N per kind. Records are kept as the
 * envelopes the sink was handed (views of the deriver's record bytes, not copies).
 */
import { RECORD_KINDS, type RecordEnvelope, type RecordKind } from '../../records/types.js';

/** The last record written per (kind, symbol). */
export class LatestRecords {
  private readonly byKey = new Map<string, RecordEnvelope>();

  /** Remember `record` unless a later one of its (kind, symbol) is already held. */
  note(record: RecordEnvelope): void {
    const key = `${record.kind}\u0000${record.symbol}`;
    const held = this.byKey.get(key);
    if (held === undefined || held.seq < record.seq) this.byKey.set(key, record);
  }

  get size(): number {
    return this.byKey.size;
  }

  values(): IterableIterator<RecordEnvelope> {
    return this.byKey.values();
  }
}

/** A ring of the last `capacity` records of one kind, oldest first when read. */
class Ring {
  private readonly items: (RecordEnvelope | undefined)[];
  private start = 0;
  private count = 0;

  constructor(readonly capacity: number) {
    this.items = new Array<RecordEnvelope | undefined>(capacity);
  }

  push(r: RecordEnvelope): void {
    const end = (this.start + this.count) % this.capacity;
    this.items[end] = r;
    if (this.count < this.capacity) this.count++;
    else this.start = (this.start + 1) % this.capacity;
  }

  get length(): number {
    return this.count;
  }

  *read(): Generator<RecordEnvelope> {
    for (let i = 0; i < this.count; i++) yield this.items[(this.start + i) % this.capacity]!;
  }
}

/** The last N records per kind, in the order they were written. */
export class StreamTails {
  private readonly rings: Readonly<Record<RecordKind, Ring>>;

  constructor(capacity: number) {
    this.rings = Object.fromEntries(RECORD_KINDS.map((k) => [k, new Ring(capacity)])) as Record<
      RecordKind,
      Ring
    >;
  }

  note(record: RecordEnvelope): void {
    this.rings[record.kind].push(record);
  }

  /** Records of `kind` held, oldest first. */
  records(kind: RecordKind): Generator<RecordEnvelope> {
    return this.rings[kind].read();
  }

  count(kind: RecordKind): number {
    return this.rings[kind].length;
  }
}
