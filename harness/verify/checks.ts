import type { RecordKind } from '../../collector/records/types.js';
import type { BookDiff, BookSideView, Check, Difference } from '../results/types.js';
import { canonicalRecord } from './canonical.js';
import { type ExpectedIndex, type ExpectedOptions, expectedAt } from './expected-index.js';
import type { SinkTally } from './sink-tally.js';

/**
 * Turn tallies into checks. Each check states what must hold, what was measured and the evidence
 * behind it; a check that cannot fail is not written here.
 */

/** Sinks whose writes are idempotent by (session, seq): a duplicate they hold is a defect. */
const IDEMPOTENT = new Set(['jsonl', 'clickhouse', 'redis']);

export function sinkLossCheck(t: SinkTally): Check {
  const strict = IDEMPOTENT.has(t.name);
  const tt = t.totals;
  // Per run, not per kind: a run legitimately expects no gaps, or no ticks of an L2-only symbol,
  // but a run that expects no record at all has compared nothing, and 0 of 0 is no evidence.
  const nothing = tt.expected === 0;
  const pass =
    !nothing &&
    tt.lost === 0 &&
    tt.unexpected === 0 &&
    tt.unparseable === 0 &&
    tt.misfiled === 0 &&
    tt.strayFiles === 0 &&
    tt.mismatchedDuplicates === 0 &&
    (!strict || tt.duplicated === 0);
  const differences: Difference[] = [
    ...t.firstMismatchedDuplicates.map((d) => ({
      where: d.where,
      expected: `seq ${d.seq} ${d.kind} as the journal implies it`,
      actual: 'a duplicate copy with other content',
    })),
    ...t.firstLost.map((l) => ({
      where: `seq ${l.seq} ${l.symbol} ${l.kind}`,
      expected: 'a record',
      actual: null,
    })),
    ...t.firstUnexpected.map((u) => ({ where: u.where, expected: null, actual: u.why })),
    ...t.firstUnparseable.map((u) => ({ where: u.where, expected: 'a JSON record', actual: u.raw })),
    ...t.firstMisfiled.map((m) => ({
      where: m.where,
      expected: `seq ${m.seq} ${m.kind} in the file of its symbol and day`,
      actual: m.why,
    })),
    ...(strict
      ? t.firstDuplicated.map((d) => ({
          where: d.where,
          expected: 'once',
          actual: `seq ${d.seq} ${d.kind} again`,
        }))
      : []),
  ].slice(0, 10);
  return {
    id: `zero-loss.journal-vs-${t.name}`,
    group: 'zero-loss',
    title: `Every record the journal implies is in ${t.name}, once`,
    threshold: strict
      ? 'expected > 0; lost = 0, unexpected = 0, misfiled = 0, stray files = 0, duplicates = 0'
      : 'expected > 0; lost = 0, unexpected = 0, misfiled = 0, stray files = 0 (duplicates counted, each identical to the expected record)',
    measured: `${nothing ? 'nothing to compare: 0 records expected; ' : ''}${tt.present} of ${tt.expected} present; lost ${tt.lost}, duplicated ${tt.duplicated}${tt.mismatchedDuplicates ? ` (${tt.mismatchedDuplicates} of them differing from the expected record)` : ''}, unexpected ${tt.unexpected}, unparseable ${tt.unparseable}${tt.strayFiles ? `, ${tt.strayFiles} stray files (${tt.strayLines} lines)` : ''}${tt.misfiled ? `, misfiled ${tt.misfiled}` : ''}${tt.collapsedDuplicates ? `, collapsed by ${t.dedup} ${tt.collapsedDuplicates}` : ''}`,
    pass,
    evidence: {
      counts: {
        expected: tt.expected,
        present: tt.present,
        lost: tt.lost,
        duplicated: tt.duplicated,
        mismatchedDuplicates: tt.mismatchedDuplicates,
        unexpected: tt.unexpected,
        strayFiles: tt.strayFiles,
        strayLines: tt.strayLines,
        unparseable: tt.unparseable,
        misfiled: tt.misfiled,
        collapsedDuplicates: tt.collapsedDuplicates,
      },
      differences,
      details: {
        perKey: Object.fromEntries(
          [...t.keys].map(([k, v]) => [
            k,
            { expected: v.expected, present: v.present, lost: v.lost, duplicated: v.duplicated },
          ]),
        ),
      },
    },
  };
}

function sideView(levels: unknown): BookSideView[] {
  if (!Array.isArray(levels)) return [];
  return levels.map((l) => {
    const o = (l ?? {}) as Record<string, unknown>;
    return { price: Number(o['price']), size: Number(o['size']) };
  });
}

function fieldDifferences(
  kind: RecordKind,
  expected: Readonly<Record<string, unknown>>,
  actual: Readonly<Record<string, unknown>>,
  where: string,
): Difference[] {
  const keys = new Set([...Object.keys(expected), ...Object.keys(actual)]);
  const out: Difference[] = [];
  for (const k of keys) {
    const e = canonicalRecord(kind, { [k]: expected[k] });
    const a = canonicalRecord(kind, { [k]: actual[k] });
    if (e !== a)
      out.push({
        where: `${where} .${k}`,
        expected: shown(expected[k]),
        actual: shown(actual[k]),
      });
  }
  return out;
}

/** A field's value for a reader: `(absent)` is not `null`, as in the canonical form. */
function shown(v: unknown): string {
  return v === undefined ? '(absent)' : JSON.stringify(v);
}

const TITLES: Readonly<Record<RecordKind, string>> = {
  l2: 'Every L2 record equals the reference book at its seq',
  l1: 'Every L1 quote equals the quote the reference derives',
  ticks: 'Every trade tick equals the trade the reference derives',
  gaps: 'Every gap marker equals the gap the reference derives',
};

/**
 * Content of one kind in the primary sink against the independent reference. For L2 the first
 * mismatch is shown as two books side by side.
 */
export async function recordValuesCheck(
  kind: RecordKind,
  t: SinkTally,
  reference: ExpectedOptions,
): Promise<Check> {
  let expected = 0;
  let present = 0;
  let mismatched = 0;
  let mismatchedDuplicates = 0;
  for (const [key, v] of t.keys) {
    if (!key.startsWith(`${kind}/`)) continue;
    expected += v.expected;
    present += v.present;
    mismatched += v.mismatched;
    mismatchedDuplicates += v.mismatchedDuplicates;
  }
  const first = t.firstMismatched.filter((m) => m.kind === kind);
  const differences: Difference[] = [];
  let bookDiff: BookDiff | undefined;
  if (first.length > 0) {
    const m = first[0]!;
    const at = await expectedAt(reference, kind, m.seq);
    if (at) {
      differences.push(...fieldDifferences(kind, at.record, m.record, m.where).slice(0, 10));
      if (kind === 'l2') {
        bookDiff = {
          symbol: String(m.record['symbol']),
          seq: m.seq,
          line: at.line,
          expected: { bids: sideView(at.record['bids']), asks: sideView(at.record['asks']) },
          actual: { bids: sideView(m.record['bids']), asks: sideView(m.record['asks']) },
        };
      }
    }
    for (const other of first.slice(1)) {
      if (differences.length >= 10) break;
      differences.push({
        where: `${other.where} (seq ${other.seq})`,
        expected: 'reference record',
        actual: 'differs',
      });
    }
  }
  // Lost records are the loss check's to fail; this one fails only when there was nothing to
  // compare at all, and otherwise says how much of what was expected it saw.
  const coverage =
    expected === 0
      ? 'nothing to compare: 0 records expected'
      : present === 0
        ? `0 of ${expected} compared`
        : present < expected
          ? `${present} of ${expected} expected compared (${Math.floor((present * 100) / expected)}%)`
          : `all ${expected} expected compared`;
  const dupText = mismatchedDuplicates > 0 ? ` (${mismatchedDuplicates} of them duplicate copies)` : '';
  return {
    id: kind === 'l2' ? 'books.reference' : `records.${kind}`,
    group: kind === 'l2' ? 'books' : 'consistency',
    title: TITLES[kind],
    threshold: 'compared > 0; mismatches = 0 (every copy of a record)',
    measured: `${mismatched} mismatched${dupText}; ${coverage} in ${t.name}`,
    pass: mismatched === 0 && present > 0,
    evidence: {
      counts: { expected, compared: present, mismatched, mismatchedDuplicates },
      differences,
      ...(bookDiff ? { bookDiff } : {}),
    },
  };
}

/** All enabled sinks hold the same set of records per kind and symbol. */
export function consistencyCheck(tallies: readonly SinkTally[]): Check {
  const digests: Record<string, string> = {};
  const differences: Difference[] = [];
  const keys = new Set<string>();
  for (const t of tallies) for (const k of t.keys.keys()) keys.add(k);
  let differing = 0;
  for (const key of [...keys].sort()) {
    const values = tallies.map((t) => {
      const v = t.keys.get(key);
      const d = v ? `${v.digest.toString()} n=${v.digest.count}` : 'absent';
      digests[`${t.name}/${key}`] = d;
      return d;
    });
    if (new Set(values).size > 1) {
      differing++;
      if (differences.length < 10) {
        differences.push({
          where: key,
          expected: `${tallies[0]!.name}: ${values[0]}`,
          actual: tallies
            .slice(1)
            .map((t, i) => `${t.name}: ${values[i + 1]}`)
            .join('; '),
        });
      }
    }
  }
  const names = tallies.map((t) => t.name).join(', ');
  return {
    id: 'consistency.sinks',
    group: 'consistency',
    title: `All enabled sinks hold the same records (${names})`,
    threshold: 'digests equal per sink, symbol and kind',
    measured:
      tallies.length < 2
        ? `one sink enabled (${names}); ${keys.size} kind/symbol sets digested`
        : `${differing} of ${keys.size} kind/symbol sets differ`,
    pass: differing === 0,
    evidence: { digests, differences, counts: { sets: keys.size, differing, sinks: tallies.length } },
  };
}

/**
 * Every symbol the collector was told to watch produced some record, of any kind. A tape whose
 * header names a symbol its body never carries (a typo) otherwise passes every other check:
 * each compares what there is, and there is nothing. Any kind counts, so an L2-only symbol or
 * one without trades passes.
 */
export function symbolsRecordedCheck(watched: readonly string[], index: ExpectedIndex): Check {
  const recorded = new Map<string, number>();
  for (const [key, n] of Object.entries(index.counts)) {
    const symbol = key.slice(key.indexOf('/') + 1);
    recorded.set(symbol, (recorded.get(symbol) ?? 0) + n);
  }
  const missing = watched.filter((s) => (recorded.get(s) ?? 0) === 0);
  const measured =
    watched.length === 0
      ? 'no watched symbol named in the journal header (#symbols)'
      : missing.length === 0
        ? `all ${watched.length} watched symbols have records`
        : `${missing.length} of ${watched.length} watched symbols have no record of any kind: ${missing.slice(0, 20).join(', ')}${missing.length > 20 ? ', …' : ''}`;
  return {
    id: 'integrity.symbols-recorded',
    group: 'integrity',
    title: 'Every watched symbol produced records',
    threshold: 'watched symbols ≥ 1; each with ≥ 1 record (L2, L1, tick or gap) implied by the journal',
    measured,
    pass: watched.length > 0 && missing.length === 0,
    evidence: {
      counts: { watched: watched.length, withoutRecords: missing.length },
      differences: missing.slice(0, 10).map((s) => ({
        where: `symbol ${s}`,
        expected: 'at least one record',
        actual: 'no line of it in the journal produced a record',
      })),
      details: { perSymbol: Object.fromEntries(watched.map((s) => [s, recorded.get(s) ?? 0])) },
    },
  };
}
