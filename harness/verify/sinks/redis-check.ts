/**
 * The Redis sink's checks (group `redis`), run at the end of a replay with `--sinks …,redis`:
 *
 * - `redis.latest-l2`: every symbol's latest book in Redis equals the reference book after the
 *   tape's last message, with the last L2 seq;
 * - `redis.latest-l1`, `redis.latest-ticks`, `redis.latest-gaps`: the latest quote, trade and gap
 *   equal the last JSONL record of the symbol, and carry the seq the reference expects last;
 * - `redis.stream-<kind>`: each stream holds exactly the newest records of its JSONL counterpart —
 *   the last min(N, total) at least, every record newer than the oldest one it kept, nothing
 *   else, and no more than N plus one stream node (what `MAXLEN ~ N` may leave).
 *
 * Records are compared field by field in canonical form (canonical.ts), so the check states what
 * differs, not merely that bytes do.
 */
import { RECORD_KINDS, type RecordKind } from '../../../collector/records/types.js';
import { errorMessage } from '../../../common/errors.js';
import { redactUrl } from '../../../common/logger.js';
import type { Check, Difference } from '../../results/types.js';
import { canonicalRecord } from '../canonical.js';
import {
  compareOrder,
  type KindExpectation,
  type OrderedRecord,
  readJsonlExpectation,
} from './redis-expect.js';
import { openRedisReader, type RedisReader, type StreamEntryView } from './redis-state.js';

export interface RedisCheckOptions {
  readonly url: string;
  readonly keyPrefix: string;
  readonly streamMaxLen: number;
  /** "kind/symbol" → the reference's last record (harness/verify/expected-index.ts ExpectedIndex.last). */
  readonly expectedLast: ReadonlyMap<string, Record<string, unknown>>;
  /** The JSONL sink's data directory of the same run. */
  readonly jsonlDir: string;
}

const MAX_DIFFERENCES = 10;

const LATEST_TITLES: Readonly<Record<RecordKind, string>> = {
  l2: "Redis holds every symbol's current book, equal to the reference after the last message",
  l1: "Redis holds every symbol's latest quote, equal to the last JSONL quote",
  ticks: "Redis holds every symbol's last trade, equal to the last JSONL trade",
  gaps: "Redis holds every symbol's latest gap marker, equal to the last JSONL gap",
};

export async function redisChecks(options: RedisCheckOptions): Promise<Check[]> {
  let reader: RedisReader;
  try {
    reader = await openRedisReader(options.url, options.keyPrefix);
  } catch (err) {
    return [unreachable(options.url, err)];
  }
  try {
    const sessions = await reader.sessions();
    const nodeMax = await reader.streamNodeMaxEntries();
    // How far past N an approximate trim may leave a stream: up to one node of entries.
    const slack = nodeMax > 0 ? nodeMax : options.streamMaxLen;
    const keep = options.streamMaxLen + slack;
    const expectation = await readJsonlExpectation(options.jsonlDir, sessions, keep);
    const checks: Check[] = [];
    for (const kind of RECORD_KINDS) {
      checks.push(await latestCheck(kind, reader, options.expectedLast, expectation.kinds[kind]));
    }
    for (const kind of RECORD_KINDS) {
      checks.push(
        await streamCheck(
          kind,
          reader,
          expectation.kinds[kind],
          options.streamMaxLen,
          nodeMax > 0 ? slack : null,
        ),
      );
    }
    return checks;
  } catch (err) {
    return [unreachable(options.url, err)];
  } finally {
    reader.close();
  }
}

function unreachable(url: string, err: unknown): Check {
  return {
    id: 'redis.reachable',
    group: 'redis',
    title: 'Redis can be read back',
    threshold: 'Redis answers',
    measured: `Redis at ${redactUrl(url)} could not be read: ${errorMessage(err)}`,
    pass: false,
    evidence: { details: { url: redactUrl(url) } },
  };
}

function parseObject(text: string): Record<string, unknown> | null {
  try {
    const v: unknown = JSON.parse(text);
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

function fieldDifferences(
  kind: RecordKind,
  expected: Readonly<Record<string, unknown>>,
  actual: Readonly<Record<string, unknown>>,
  where: string,
): Difference[] {
  const out: Difference[] = [];
  for (const k of new Set([...Object.keys(expected), ...Object.keys(actual)])) {
    const e = canonicalRecord(kind, { [k]: expected[k] });
    const a = canonicalRecord(kind, { [k]: actual[k] });
    if (e !== a) {
      out.push({
        where: `${where} .${k}`,
        // Shown as the comparison saw them: an absent field is not a null one.
        expected: k in expected ? JSON.stringify(expected[k]) : '(absent)',
        actual: k in actual ? JSON.stringify(actual[k]) : '(absent)',
      });
    }
  }
  return out;
}

// ── latest state ─────────────────────────────────────────────────────────────────────────────

async function latestCheck(
  kind: RecordKind,
  reader: RedisReader,
  expectedLast: ReadonlyMap<string, Record<string, unknown>>,
  jsonl: KindExpectation,
): Promise<Check> {
  const reference = new Map<string, Record<string, unknown>>();
  for (const [key, record] of expectedLast) {
    const slash = key.indexOf('/');
    if (key.slice(0, slash) === kind) reference.set(key.slice(slash + 1), record);
  }
  // L2: the reference book is the truth. Other kinds: the last JSONL record, whose seq must also
  // be the one the reference ends with.
  const symbols = [
    ...new Set([...reference.keys(), ...(kind === 'l2' ? [] : jsonl.lastBySymbol.keys())]),
  ].sort();
  const counts = {
    expected: symbols.length,
    matched: 0,
    missing: 0,
    stale: 0,
    ahead: 0,
    wrong: 0,
    unparseable: 0,
    unexpected: 0,
  };
  const differences: Difference[] = [];
  const note = (d: Difference) => {
    if (differences.length < MAX_DIFFERENCES) differences.push(d);
  };
  for (const symbol of symbols) {
    const where = `latest:${kind}:${symbol}`;
    const ref = reference.get(symbol) ?? null;
    const fromJsonl = jsonl.lastBySymbol.get(symbol)?.record ?? null;
    const want = kind === 'l2' ? ref : fromJsonl;
    const wantSeq =
      typeof ref?.['seq'] === 'number' ? ref['seq'] : typeof want?.['seq'] === 'number' ? want['seq'] : null;
    const raw = await reader.latest(kind, symbol);
    if (raw === null) {
      counts.missing++;
      note({ where, expected: `a record with seq ${wantSeq ?? '?'}`, actual: null });
      continue;
    }
    const actual = parseObject(raw);
    if (actual === null) {
      counts.unparseable++;
      note({ where, expected: 'a JSON record', actual: raw.slice(0, 200) });
      continue;
    }
    const seq = actual['seq'];
    if (wantSeq !== null && typeof seq === 'number' && seq !== wantSeq) {
      if (seq < wantSeq) counts.stale++;
      else counts.ahead++;
      note({ where: `${where} .seq`, expected: String(wantSeq), actual: String(seq) });
      continue;
    }
    if (want === null) {
      // The reference expects no record of this kind for the symbol, yet the JSONL has one:
      // Redis matched JSONL, but the seq cannot be confirmed.
      counts.wrong++;
      note({ where, expected: null, actual: `seq ${String(seq)}` });
      continue;
    }
    const diffs = fieldDifferences(kind, want, actual, where);
    if (diffs.length > 0 || typeof seq !== 'number') {
      counts.wrong++;
      for (const d of diffs) note(d);
      continue;
    }
    if (kind !== 'l2' && ref !== null && fromJsonl !== null && ref['seq'] !== fromJsonl['seq']) {
      counts.wrong++;
      note({
        where: `${where} (JSONL's last vs reference)`,
        expected: `seq ${String(ref['seq'])}`,
        actual: `seq ${String(fromJsonl['seq'])}`,
      });
      continue;
    }
    counts.matched++;
  }
  const expectedSet = new Set(symbols);
  for (const symbol of await reader.latestSymbols(kind)) {
    if (expectedSet.has(symbol)) continue;
    counts.unexpected++;
    note({
      where: `latest:${kind}:${symbol}`,
      expected: null,
      actual: 'a key for a symbol with no such record',
    });
  }
  const bad =
    counts.missing + counts.stale + counts.ahead + counts.wrong + counts.unparseable + counts.unexpected;
  return {
    id: `redis.latest-${kind}`,
    group: 'redis',
    title: LATEST_TITLES[kind],
    threshold: `every symbol's latest:${kind} key equals the ${kind === 'l2' ? 'reference' : 'last JSONL'} record (same seq); no other keys`,
    measured:
      `${counts.matched} of ${counts.expected} equal; missing ${counts.missing}, stale ${counts.stale}, ` +
      `ahead ${counts.ahead}, different ${counts.wrong}, unparseable ${counts.unparseable}, unexpected ${counts.unexpected}`,
    pass: bad === 0 && counts.matched === counts.expected,
    evidence: { counts, differences },
  };
}

// ── streams ──────────────────────────────────────────────────────────────────────────────────

async function streamCheck(
  kind: RecordKind,
  reader: RedisReader,
  jsonl: KindExpectation,
  maxLen: number,
  slack: number | null,
): Promise<Check> {
  const length = await reader.streamLength(kind);
  const entries = await reader.newestEntries(kind, jsonl.newest.length + 1);
  const byId = new Map<string, StreamEntryView>(entries.map((e) => [e.id, e]));
  const oldest = entries.length > 0 ? entries[entries.length - 1]! : null;
  const mustHold = Math.min(maxLen, jsonl.total);
  const upper = slack === null ? null : maxLen + slack;
  const counts = {
    jsonlRecords: jsonl.total,
    streamLength: length,
    required: 0,
    matched: 0,
    missing: 0,
    wrong: 0,
    unexpected: 0,
  };
  const differences: Difference[] = [];
  const note = (d: Difference) => {
    if (differences.length < MAX_DIFFERENCES) differences.push(d);
  };
  const oldestKey =
    oldest !== null && oldest.epochMs !== null && oldest.seq !== null
      ? { epochMs: oldest.epochMs, seq: oldest.seq }
      : null;
  jsonl.newest.forEach((r: OrderedRecord, i) => {
    const inLastN = i >= jsonl.newest.length - mustHold;
    const newerThanOldestKept = oldestKey !== null && compareOrder(r, oldestKey) >= 0;
    if (!inLastN && !newerThanOldestKept) return;
    counts.required++;
    const id = `${r.epochMs}-${r.seq}`;
    const entry = byId.get(id);
    const where = `stream:${kind} ${id} (${r.where})`;
    if (entry === undefined) {
      counts.missing++;
      note({ where, expected: `${r.symbol} seq ${r.seq}`, actual: null });
      return;
    }
    byId.delete(id);
    const actual = entry.json === null ? null : parseObject(entry.json);
    if (actual === null || entry.symbol !== r.symbol) {
      counts.wrong++;
      note({
        where,
        expected: `symbol ${r.symbol} and its record JSON`,
        actual: `symbol ${String(entry.symbol)}, json ${String(entry.json).slice(0, 120)}`,
      });
      return;
    }
    const diffs = fieldDifferences(kind, r.record, actual, where);
    if (diffs.length > 0) {
      counts.wrong++;
      for (const d of diffs) note(d);
      return;
    }
    counts.matched++;
  });
  for (const e of byId.values()) {
    counts.unexpected++;
    note({
      where: `stream:${kind} ${e.id}`,
      expected: null,
      actual: `an entry the JSONL's newest records do not account for (${String(e.symbol)})`,
    });
  }
  const lengthOk = length >= mustHold && (upper === null || length <= upper);
  if (!lengthOk) {
    note({ where: `stream:${kind} XLEN`, expected: `${mustHold}..${upper ?? '∞'}`, actual: String(length) });
  }
  return {
    id: `redis.stream-${kind}`,
    group: 'redis',
    title: `Redis stream ${kind} holds exactly the newest ${kind} records of the JSONL files`,
    threshold: `the last min(N=${maxLen}, total) records and every newer one than the oldest kept, nothing else; ${mustHold} ≤ XLEN ≤ ${upper ?? 'no bound (stream-node-max-entries 0)'}`,
    measured:
      `XLEN ${length}; ${counts.matched} of ${counts.required} required entries equal; ` +
      `missing ${counts.missing}, different ${counts.wrong}, unexpected ${counts.unexpected} (JSONL has ${jsonl.total})`,
    pass: lengthOk && counts.missing === 0 && counts.wrong === 0 && counts.unexpected === 0,
    evidence: { counts, differences, details: { maxLen, slack } },
  };
}
