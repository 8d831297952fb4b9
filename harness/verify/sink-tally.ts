import type { RecordKind } from '../../collector/records/types.js';
import { canonicalRecord, SetDigest, sha256, shortHash } from './canonical.js';
import type { ExpectedIndex } from './expected-index.js';
import type { SinkRecordSource } from './sinks/source.js';

const KINDS: readonly RecordKind[] = ['l2', 'l1', 'ticks', 'gaps'];
const FIRST = 10;

export interface KeyTally {
  expected: number;
  present: number;
  duplicated: number;
  lost: number;
  /** Every copy whose content differs from the expected record, duplicates included. */
  mismatched: number;
  /** Of `mismatched`, the copies after the first: a redelivery that carried other content. */
  mismatchedDuplicates: number;
  readonly digest: SetDigest;
}

export interface SinkTally {
  readonly name: string;
  readonly dedup: string | null;
  /** By `kind/symbol`. */
  readonly keys: Map<string, KeyTally>;
  readonly totals: {
    expected: number;
    present: number;
    lost: number;
    duplicated: number;
    /** Records no expected record accounts for, stray files' lines included. */
    unexpected: number;
    mismatched: number;
    mismatchedDuplicates: number;
    /** Files in the sink's place that its writer does not write (`AAPL_l2_20250725.1.jsonl`). */
    strayFiles: number;
    strayLines: number;
    unparseable: number;
    /** Expected records stored where the sink's layout says they do not belong (JSONL file name). */
    misfiled: number;
    collapsedDuplicates: number;
  };
  readonly firstLost: { kind: RecordKind; seq: number; symbol: string }[];
  readonly firstDuplicated: { kind: RecordKind; seq: number; where: string }[];
  /** `kind` null: a stray file, whose lines are of no kind the sink's layout names. */
  readonly firstUnexpected: { kind: RecordKind | null; where: string; why: string }[];
  readonly firstMismatched: {
    kind: RecordKind;
    seq: number;
    where: string;
    record: Readonly<Record<string, unknown>>;
  }[];
  readonly firstMismatchedDuplicates: { kind: RecordKind; seq: number; where: string }[];
  readonly firstUnparseable: { where: string; raw: string }[];
  readonly firstMisfiled: { kind: RecordKind; seq: number; where: string; why: string }[];
}

function keyTally(map: Map<string, KeyTally>, key: string): KeyTally {
  let t = map.get(key);
  if (!t) {
    t = {
      expected: 0,
      present: 0,
      duplicated: 0,
      lost: 0,
      mismatched: 0,
      mismatchedDuplicates: 0,
      digest: new SetDigest(),
    };
    map.set(key, t);
  }
  return t;
}

/**
 * Compare everything one sink holds with the records the journal should have produced: lost
 * (expected, absent), duplicated (present more than once), unexpected (no such record expected:
 * wrong session, unknown seq, wrong kind), mismatched (present, but not the expected content),
 * misfiled (present, but not where the sink's layout puts it: another symbol's or day's file).
 */
export async function tallySink(index: ExpectedIndex, source: SinkRecordSource): Promise<SinkTally> {
  const size = index.journalLines + 1;
  const seen = Object.fromEntries(KINDS.map((k) => [k, new Uint8Array(size)])) as Record<
    RecordKind,
    Uint8Array
  >;
  const tally: SinkTally = {
    name: source.name,
    dedup: source.dedup,
    keys: new Map(),
    totals: {
      expected: 0,
      present: 0,
      lost: 0,
      duplicated: 0,
      unexpected: 0,
      mismatched: 0,
      mismatchedDuplicates: 0,
      strayFiles: 0,
      strayLines: 0,
      unparseable: 0,
      misfiled: 0,
      collapsedDuplicates: 0,
    },
    firstLost: [],
    firstDuplicated: [],
    firstUnexpected: [],
    firstMismatched: [],
    firstMismatchedDuplicates: [],
    firstUnparseable: [],
    firstMisfiled: [],
  };
  for (const [key, n] of Object.entries(index.counts)) keyTally(tally.keys, key).expected = n;
  for await (const batch of source.batches()) {
    for (const r of batch) {
      if (r.record === null) {
        tally.totals.unparseable++;
        if (tally.firstUnparseable.length < FIRST)
          tally.firstUnparseable.push({ where: r.where, raw: r.raw ?? '' });
        continue;
      }
      const seq = r.record['seq'];
      const unexpected = (why: string) => {
        tally.totals.unexpected++;
        if (tally.firstUnexpected.length < FIRST)
          tally.firstUnexpected.push({ kind: r.kind, where: r.where, why });
      };
      if (r.record['session'] !== index.session) {
        unexpected(`session ${JSON.stringify(r.record['session'])}, expected ${index.session}`);
        continue;
      }
      if (
        typeof seq !== 'number' ||
        !Number.isInteger(seq) ||
        seq < 1 ||
        seq >= size ||
        index.hashes[r.kind][seq] === 0
      ) {
        unexpected(`no ${r.kind} record expected at seq ${String(seq)}`);
        continue;
      }
      // Still present (a reader of that file sees it), but not where a reader looks for it.
      if (r.misplaced !== undefined) {
        tally.totals.misfiled++;
        if (tally.firstMisfiled.length < FIRST)
          tally.firstMisfiled.push({ kind: r.kind, seq, where: r.where, why: r.misplaced });
      }
      const symbol = index.symbols[index.symbolOf[r.kind][seq]!]!;
      const t = keyTally(tally.keys, `${r.kind}/${symbol}`);
      const digest = sha256(canonicalRecord(r.kind, r.record));
      // Every copy is compared, not only the first: a reader that keeps the last copy of a
      // (session, seq) would otherwise see content no check ever looked at.
      const differs = shortHash(digest) !== index.hashes[r.kind][seq];
      if (differs) {
        t.mismatched++;
        tally.totals.mismatched++;
        if (tally.firstMismatched.length < FIRST) {
          tally.firstMismatched.push({ kind: r.kind, seq, where: r.where, record: r.record });
        }
      }
      if (seen[r.kind][seq]! > 0) {
        if (seen[r.kind][seq]! < 255) seen[r.kind][seq]!++;
        t.duplicated++;
        tally.totals.duplicated++;
        if (tally.firstDuplicated.length < FIRST)
          tally.firstDuplicated.push({ kind: r.kind, seq, where: r.where });
        if (differs) {
          t.mismatchedDuplicates++;
          tally.totals.mismatchedDuplicates++;
          if (tally.firstMismatchedDuplicates.length < FIRST)
            tally.firstMismatchedDuplicates.push({ kind: r.kind, seq, where: r.where });
        }
        continue;
      }
      seen[r.kind][seq] = 1;
      t.present++;
      tally.totals.present++;
      t.digest.add(digest);
    }
  }
  for (const kind of KINDS) {
    const h = index.hashes[kind];
    const s = seen[kind];
    for (let seq = 1; seq < size; seq++) {
      if (h[seq] === 0) continue;
      tally.totals.expected++;
      if (s[seq] === 0) {
        const symbol = index.symbols[index.symbolOf[kind][seq]!]!;
        keyTally(tally.keys, `${kind}/${symbol}`).lost++;
        tally.totals.lost++;
        if (tally.firstLost.length < FIRST) tally.firstLost.push({ kind, seq, symbol });
      }
    }
  }
  for (const stray of (await source.strays?.()) ?? []) {
    tally.totals.strayFiles++;
    tally.totals.strayLines += stray.lines;
    tally.totals.unexpected += stray.lines;
    if (tally.firstUnexpected.length < FIRST)
      tally.firstUnexpected.push({
        kind: null,
        where: stray.where,
        why: `${stray.why} (${stray.lines} line${stray.lines === 1 ? '' : 's'})`,
      });
  }
  if (source.collapsedDuplicates) tally.totals.collapsedDuplicates = await source.collapsedDuplicates();
  return tally;
}
