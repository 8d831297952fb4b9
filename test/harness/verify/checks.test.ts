/**
 * Every check in a report could have failed: nothing compared is not a pass, a copy with other
 * content is not a harmless duplicate, and the canonical form tells a missing field from a null.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecordKind } from '../../../collector/records/types.js';
import { canonicalRecord, sha256, shortHash } from '../../../harness/verify/canonical.js';
import {
  consistencyCheck,
  recordValuesCheck,
  sinkLossCheck,
  symbolsRecordedCheck,
} from '../../../harness/verify/checks.js';
import type { ExpectedIndex, ExpectedOptions } from '../../../harness/verify/expected-index.js';
import { tallySink } from '../../../harness/verify/sink-tally.js';
import { jsonlSource } from '../../../harness/verify/sinks/jsonl-source.js';
import type { SinkRecord, SinkRecordSource } from '../../../harness/verify/sinks/source.js';

const KINDS: readonly RecordKind[] = ['l2', 'l1', 'ticks', 'gaps'];
const SESSION = 's-1';

type Rec = Record<string, unknown> & { seq: number; symbol: string };

function l2(seq: number, symbol = 'AAPL'): Rec {
  return {
    symbol,
    timestamp: '2025-07-25T09:30:00.000000',
    bids: [{ price: 10, size: 100, level: 1 }],
    asks: [],
    total_bid_size: 100,
    total_ask_size: 0,
    spread: null,
    mid_price: null,
    session: SESSION,
    seq,
  };
}

/** The index the verifier would build from a journal, built here from the records themselves. */
function indexOf(records: readonly { kind: RecordKind; record: Rec }[], lines = 100): ExpectedIndex {
  const size = lines + 1;
  const hashes = Object.fromEntries(KINDS.map((k) => [k, new Float64Array(size)])) as Record<
    RecordKind,
    Float64Array
  >;
  const symbolOf = Object.fromEntries(KINDS.map((k) => [k, new Int32Array(size)])) as Record<
    RecordKind,
    Int32Array
  >;
  const symbols: string[] = [];
  const counts: Record<string, number> = {};
  for (const { kind, record } of records) {
    let s = symbols.indexOf(record.symbol);
    if (s < 0) s = symbols.push(record.symbol) - 1;
    hashes[kind][record.seq] = shortHash(sha256(canonicalRecord(kind, record)));
    symbolOf[kind][record.seq] = s;
    counts[`${kind}/${record.symbol}`] = (counts[`${kind}/${record.symbol}`] ?? 0) + 1;
  }
  return {
    session: SESSION,
    journalLines: lines,
    hashes,
    symbolOf,
    symbols,
    counts,
    last: new Map(),
    referenceIntegrity: { unknownDeletes: 0 },
  };
}

function source(name: string, records: readonly SinkRecord[]): SinkRecordSource {
  return {
    name,
    dedup: null,
    async *batches() {
      yield records;
    },
  };
}

// Not read unless a mismatch is shown side by side; these tests look at counts only.
const NO_REFERENCE: ExpectedOptions = {
  journalDir: '/nonexistent',
  session: SESSION,
  journalLines: 0,
  symbols: [],
  depth: 10,
};

describe('a check with nothing to compare does not pass', () => {
  it('zero-loss: a sink check with 0 records expected fails and says so', async () => {
    const t = await tallySink(indexOf([]), source('jsonl', []));
    const check = sinkLossCheck(t);
    expect(check.pass).toBe(false);
    expect(check.measured).toMatch(/nothing to compare: 0 records expected/);
  });

  it('integrity: a watched symbol the journal implies no record of fails, naming the symbol', () => {
    const index = indexOf([{ kind: 'l2', record: l2(1, 'AAPL') }]);
    const check = symbolsRecordedCheck(['AAPL', 'ZZZZ'], index);
    expect(check.pass).toBe(false);
    expect(check.measured).toMatch(/1 of 2 watched symbols have no record of any kind: ZZZZ/);
    expect(check.evidence.differences?.[0]?.where).toBe('symbol ZZZZ');
    // A symbol with records of one kind only (L2-only, no ticks, no gaps) is recorded.
    expect(symbolsRecordedCheck(['AAPL'], index).pass).toBe(true);
  });

  it('content: records expected but none compared fails ("0 of N compared")', async () => {
    const index = indexOf([1, 2, 3].map((s) => ({ kind: 'l2' as const, record: l2(s) })));
    const t = await tallySink(index, source('jsonl', []));
    const check = await recordValuesCheck('l2', t, NO_REFERENCE);
    expect(check.pass).toBe(false);
    expect(check.measured).toMatch(/0 of 3 compared/);
  });

  it('content: some compared passes and states the coverage', async () => {
    const records = [1, 2, 3, 4].map((s) => ({ kind: 'l2' as const, record: l2(s) }));
    const t = await tallySink(
      indexOf(records),
      source('jsonl', [{ kind: 'l2', record: records[0]!.record, where: 'f:1' }]),
    );
    const check = await recordValuesCheck('l2', t, NO_REFERENCE);
    expect(check.pass).toBe(true);
    expect(check.measured).toMatch(/1 of 4 expected compared \(25%\)/);
  });

  it('content: a kind with 0 records expected fails rather than passing on nothing', async () => {
    const t = await tallySink(indexOf([{ kind: 'l2', record: l2(1) }]), source('jsonl', []));
    const check = await recordValuesCheck('gaps', t, NO_REFERENCE);
    expect(check.pass).toBe(false);
    expect(check.measured).toMatch(/nothing to compare: 0 records expected/);
  });
});

describe('duplicates are compared for content', () => {
  const records = [1, 2].map((s) => ({ kind: 'l2' as const, record: l2(s) }));
  const copies = (name: string): SinkRecord[] =>
    records.flatMap(({ kind, record }) => [
      { kind, record, where: `${name}:${record.seq}` },
      {
        kind,
        record: { ...record, bids: [], total_bid_size: 0, spread: 999 },
        where: `${name}:${record.seq}#dup`,
      },
    ]);

  it('a sink allowed duplicates (Kafka) fails when a copy differs from the expected record', async () => {
    const index = indexOf(records);
    const jsonl = await tallySink(
      index,
      source(
        'jsonl',
        records.map((r) => ({ ...r, where: `j:${r.record.seq}` })),
      ),
    );
    const kafka = await tallySink(index, source('kafka', copies('kafka')));
    const check = sinkLossCheck(kafka);
    expect(check.pass).toBe(false);
    expect(check.evidence.counts).toMatchObject({ duplicated: 2, mismatchedDuplicates: 2 });
    expect(check.measured).toMatch(/2 of them differing from the expected record/);
    expect(check.evidence.differences?.[0]?.where).toBe('kafka:1#dup');
    expect(kafka.totals.mismatched).toBe(2);
    // Identical copies are still only counted, not failed.
    const same = await tallySink(
      index,
      source(
        'kafka',
        records.flatMap((r) => [
          { ...r, where: 'a' },
          { ...r, where: 'b' },
        ]),
      ),
    );
    expect(sinkLossCheck(same).pass).toBe(true);
    expect(consistencyCheck([jsonl, same]).pass).toBe(true);
  });

  it('in the primary sink a differing duplicate fails the content check', async () => {
    const t = await tallySink(indexOf(records), source('kafka', copies('kafka')));
    // A mismatch is looked up in the reference for a side-by-side view: an empty journal has none.
    const journalDir = await mkdtemp(join(tmpdir(), 'l2h-ref-'));
    await writeFile(join(journalDir, 'journal-000001.tape'), `#l2tape 1\n#session ${SESSION}\n`);
    const check = await recordValuesCheck('l2', t, { ...NO_REFERENCE, journalDir });
    await rm(journalDir, { recursive: true, force: true });
    expect(check.pass).toBe(false);
    expect(check.evidence.counts).toMatchObject({ mismatched: 2 });
  });
});

describe('canonical form', () => {
  it('a record missing a field differs from one whose field is null', () => {
    const expected = l2(7);
    const { spread: _s, mid_price: _m, ...stored } = expected;
    expect(canonicalRecord('l2', stored)).not.toBe(canonicalRecord('l2', expected));
    const levelWithout = { ...expected, bids: [{ price: 10, size: 100 }] };
    const levelNull = { ...expected, bids: [{ price: 10, size: 100, level: null }] };
    expect(canonicalRecord('l2', levelWithout)).not.toBe(canonicalRecord('l2', levelNull));
  });
});

describe('JSONL files the collector does not write', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'l2h-stray-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('are counted with their lines and fail the loss check; the collector lock file is its own', async () => {
    const records = [1, 2].map((s) => ({ kind: 'l2' as const, record: l2(s) }));
    const data = join(dir, 'data');
    await mkdir(data);
    const text = records.map((r) => `${JSON.stringify(r.record)}\n`).join('');
    await writeFile(join(data, 'AAPL_l2_20250725.jsonl'), text);
    await writeFile(join(data, 'AAPL_l2_20250725.1.jsonl'), `${text}not json\n`);
    await writeFile(join(data, 'notes.txt'), '');
    await writeFile(join(data, '.l2h-jsonl.lock'), '123\n');
    const t = await tallySink(indexOf(records), jsonlSource(data));
    const check = sinkLossCheck(t);
    expect(check.pass).toBe(false);
    expect(check.evidence.counts).toMatchObject({ present: 2, lost: 0, strayFiles: 2, unexpected: 3 });
    expect(check.measured).toMatch(/2 stray files \(3 lines\)/);
    expect(check.evidence.differences?.map((d) => d.where)).toEqual([
      'AAPL_l2_20250725.1.jsonl',
      'notes.txt',
    ]);
  });
});
