import type { RecordKind } from '../../collector/records/types.js';
import type { BookDiff, BookSideView, Check, Difference } from '../results/types.js';
import { canonicalRecord } from './canonical.js';
import { type ExpectedOptions, expectedAt } from './expected-index.js';
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
  const pass =
    tt.lost === 0 &&
    tt.unexpected === 0 &&
    tt.unparseable === 0 &&
    tt.misfiled === 0 &&
    (!strict || tt.duplicated === 0);
  const differences: Difference[] = [
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
      ? 'lost = 0, unexpected = 0, misfiled = 0, duplicates = 0'
      : 'lost = 0, unexpected = 0, misfiled = 0 (duplicates counted)',
    measured: `${tt.present} of ${tt.expected} present; lost ${tt.lost}, duplicated ${tt.duplicated}, unexpected ${tt.unexpected}, unparseable ${tt.unparseable}${tt.misfiled ? `, misfiled ${tt.misfiled}` : ''}${tt.collapsedDuplicates ? `, collapsed by ${t.dedup} ${tt.collapsedDuplicates}` : ''}`,
    pass,
    evidence: {
      counts: {
        expected: tt.expected,
        present: tt.present,
        lost: tt.lost,
        duplicated: tt.duplicated,
        unexpected: tt.unexpected,
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
        expected: JSON.stringify(expected[k] ?? null),
        actual: JSON.stringify(actual[k] ?? null),
      });
  }
  return out;
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
  for (const [key, v] of t.keys) {
    if (!key.startsWith(`${kind}/`)) continue;
    expected += v.expected;
    present += v.present;
    mismatched += v.mismatched;
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
  return {
    id: kind === 'l2' ? 'books.reference' : `records.${kind}`,
    group: kind === 'l2' ? 'books' : 'consistency',
    title: TITLES[kind],
    threshold: 'mismatches = 0',
    measured: `${mismatched} mismatched of ${present} compared (${expected} expected) in ${t.name}`,
    pass: mismatched === 0,
    evidence: {
      counts: { expected, compared: present, mismatched },
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
