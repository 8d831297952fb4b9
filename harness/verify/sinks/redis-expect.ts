/**
 * What Redis should hold according to the JSONL files of the same run: per kind, the last record
 * of each symbol and the newest K records overall, in the order of the Redis sink's stream IDs —
 * (session epoch, seq). One pass over the files; memory is K records per kind plus one per symbol.
 */
import { RECORD_KINDS, type RecordKind } from '../../../collector/records/types.js';
import { jsonlSource } from './jsonl-source.js';

export interface OrderedRecord {
  /** The session's epoch from Redis' sessions hash; -1 when the session is not registered there. */
  readonly epochMs: number;
  readonly seq: number;
  readonly session: string;
  readonly symbol: string;
  readonly record: Readonly<Record<string, unknown>>;
  /** `AAPL_l2_20240621.jsonl:17`. */
  readonly where: string;
}

export interface KindExpectation {
  /** Records of this kind in the JSONL files (a repeated (session, seq) counts each time). */
  readonly total: number;
  /** The newest `keep` records, oldest first. */
  readonly newest: readonly OrderedRecord[];
  readonly lastBySymbol: ReadonlyMap<string, OrderedRecord>;
}

export interface JsonlExpectation {
  readonly kinds: Readonly<Record<RecordKind, KindExpectation>>;
  /** Lines that did not parse as a record: they are some other check's failure, counted here. */
  readonly unparseable: number;
}

function identity(r: OrderedRecord): string {
  return `${r.session}\u0000${r.seq}`;
}

export function compareOrder(
  a: { epochMs: number; seq: number },
  b: { epochMs: number; seq: number },
): number {
  return a.epochMs !== b.epochMs ? a.epochMs - b.epochMs : a.seq - b.seq;
}

/** The `capacity` greatest items seen, as a binary min-heap (the smallest kept item on top). */
class NewestK {
  private readonly heap: OrderedRecord[] = [];
  /** Identities held, so a record repeated in the files is kept once (bounded by `capacity`). */
  private readonly held = new Set<string>();
  constructor(private readonly capacity: number) {}

  offer(r: OrderedRecord): void {
    if (this.capacity <= 0) return;
    const id = identity(r);
    if (this.held.has(id)) return;
    const h = this.heap;
    if (h.length < this.capacity) {
      h.push(r);
      this.held.add(id);
      this.up(h.length - 1);
    } else if (compareOrder(r, h[0]!) > 0) {
      this.held.delete(identity(h[0]!));
      this.held.add(id);
      h[0] = r;
      this.down(0);
    }
  }

  sorted(): OrderedRecord[] {
    return [...this.heap].sort(compareOrder);
  }

  private up(i: number): void {
    const h = this.heap;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (compareOrder(h[i]!, h[parent]!) >= 0) return;
      [h[i], h[parent]] = [h[parent]!, h[i]!];
      i = parent;
    }
  }

  private down(i: number): void {
    const h = this.heap;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && compareOrder(h[l]!, h[m]!) < 0) m = l;
      if (r < h.length && compareOrder(h[r]!, h[m]!) < 0) m = r;
      if (m === i) return;
      [h[i], h[m]] = [h[m]!, h[i]!];
      i = m;
    }
  }
}

export async function readJsonlExpectation(
  jsonlDir: string,
  sessions: ReadonlyMap<string, number>,
  keep: number,
): Promise<JsonlExpectation> {
  const newest = Object.fromEntries(RECORD_KINDS.map((k) => [k, new NewestK(keep)])) as Record<
    RecordKind,
    NewestK
  >;
  const last = Object.fromEntries(RECORD_KINDS.map((k) => [k, new Map<string, OrderedRecord>()])) as Record<
    RecordKind,
    Map<string, OrderedRecord>
  >;
  const totals = Object.fromEntries(RECORD_KINDS.map((k) => [k, 0])) as Record<RecordKind, number>;
  let unparseable = 0;
  for await (const batch of jsonlSource(jsonlDir).batches()) {
    for (const item of batch) {
      const rec = item.record;
      const seq = rec?.['seq'];
      const session = rec?.['session'];
      const symbol = rec?.['symbol'];
      if (
        rec === null ||
        typeof seq !== 'number' ||
        typeof session !== 'string' ||
        typeof symbol !== 'string'
      ) {
        unparseable++;
        continue;
      }
      totals[item.kind]++;
      const r: OrderedRecord = {
        epochMs: sessions.get(session) ?? -1,
        seq,
        session,
        symbol,
        record: rec,
        where: item.where,
      };
      newest[item.kind].offer(r);
      const held = last[item.kind].get(symbol);
      if (held === undefined || compareOrder(r, held) > 0) last[item.kind].set(symbol, r);
    }
  }
  const kinds = Object.fromEntries(
    RECORD_KINDS.map((k): [RecordKind, KindExpectation] => [
      k,
      { total: totals[k], newest: newest[k].sorted(), lastBySymbol: last[k] },
    ]),
  ) as Record<RecordKind, KindExpectation>;
  return { kinds, unparseable };
}
