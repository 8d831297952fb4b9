import { posix } from 'node:path';
import type {
  BookDiff,
  BookSideView,
  Check,
  CheckGroup,
  Difference,
  Evidence,
  LatencySummary,
  LoadStep,
  RunIdentity,
  RunResults,
  TapeIdentity,
} from '../harness/results/types.js';
import {
  invalid,
  type Location,
  ObjectReader,
  parseJsonText,
  readArray,
  readBoolean,
  readFreeObject,
  readInteger,
  readLiteral,
  readNonNegative,
  readNullable,
  readNumber,
  readRecord,
  readString,
  rootLocation,
} from './json-reader.js';

/**
 * Runtime validation of `results.json` (`RunResults`). Beyond the shape it refuses results that
 * contradict themselves, because a report built on them would print a verdict no check supports.
 */
export interface ValidatedResults {
  readonly results: RunResults;
  /** Field paths present in the file that this reader does not know (not shown in the report). */
  readonly ignoredFields: readonly string[];
}

const CHECK_GROUPS: readonly CheckGroup[] = [
  'zero-loss',
  'books',
  'consistency',
  'redis',
  'integrity',
  'scenario',
  'load',
  'selftest',
];

/** A path inside the run directory: relative, and not climbing out of it. */
export function readRunRelativePath(value: unknown, loc: Location): string {
  const path = readString(value, loc);
  const normal = posix.normalize(path.replace(/\\/g, '/'));
  if (path === '' || posix.isAbsolute(normal) || /^[A-Za-z]:/.test(path) || normal.split('/')[0] === '..') {
    throw invalid(
      loc,
      `must be a path relative to the run directory, inside it (found ${JSON.stringify(path)})`,
    );
  }
  return normal;
}

function readSide(value: unknown, loc: Location): BookSideView {
  const r = new ObjectReader(value, loc);
  const side = { price: r.field('price', readNumber), size: r.field('size', readNumber) };
  r.done();
  return side;
}

function readBook(value: unknown, loc: Location): BookDiff['expected'] {
  const r = new ObjectReader(value, loc);
  const book = {
    bids: r.field('bids', (v, l) => readArray(v, l, readSide)),
    asks: r.field('asks', (v, l) => readArray(v, l, readSide)),
  };
  r.done();
  return book;
}

function readBookDiff(value: unknown, loc: Location): BookDiff {
  const r = new ObjectReader(value, loc);
  const diff: BookDiff = {
    symbol: r.field('symbol', readString),
    seq: r.field('seq', readInteger),
    line: r.field('line', readString),
    expected: r.field('expected', readBook),
    actual: r.field('actual', readBook),
  };
  r.done();
  return diff;
}

function readDifference(value: unknown, loc: Location): Difference {
  const r = new ObjectReader(value, loc);
  const d: Difference = {
    where: r.field('where', readString),
    expected: r.field('expected', (v, l) => readNullable(v, l, readString)),
    actual: r.field('actual', (v, l) => readNullable(v, l, readString)),
  };
  r.done();
  return d;
}

function readEvidence(value: unknown, loc: Location): Evidence {
  const r = new ObjectReader(value, loc);
  const counts = r.optional('counts', (v, l) => readRecord(v, l, readNumber));
  const digests = r.optional('digests', (v, l) => readRecord(v, l, readString));
  const differences = r.optional('differences', (v, l) => readArray(v, l, readDifference));
  const bookDiff = r.optional('bookDiff', readBookDiff);
  const files = r.optional('files', (v, l) => readArray(v, l, readRunRelativePath));
  const details = r.optional('details', readFreeObject);
  r.done();
  return {
    ...(counts === undefined ? {} : { counts }),
    ...(digests === undefined ? {} : { digests }),
    ...(differences === undefined ? {} : { differences }),
    ...(bookDiff === undefined ? {} : { bookDiff }),
    ...(files === undefined ? {} : { files }),
    ...(details === undefined ? {} : { details }),
  };
}

function readCheck(value: unknown, loc: Location): Check {
  const r = new ObjectReader(value, loc);
  const check: Check = {
    id: r.field('id', readString),
    group: r.field('group', (v, l) => readLiteral(v, l, CHECK_GROUPS)),
    title: r.field('title', readString),
    threshold: r.field('threshold', readString),
    measured: r.field('measured', readString),
    pass: r.field('pass', readBoolean),
    evidence: r.field('evidence', readEvidence),
  };
  r.done();
  if (check.id.trim() === '') throw invalid(r.loc, 'has an empty id');
  return check;
}

function readTape(value: unknown, loc: Location): TapeIdentity {
  const r = new ObjectReader(value, loc);
  const tape: TapeIdentity = {
    path: r.field('path', readString),
    sha256: r.field('sha256', readString),
    lines: r.field('lines', readInteger),
    headers: r.field('headers', (v, l) => readRecord(v, l, readString)),
  };
  r.done();
  return tape;
}

function readStringOrNumber(value: unknown, loc: Location): string | number {
  return typeof value === 'number' ? readNumber(value, loc) : readString(value, loc);
}

function readRun(value: unknown, loc: Location): RunIdentity {
  const r = new ObjectReader(value, loc);
  const run: RunIdentity = {
    id: r.field('id', readString),
    command: r.field('command', readString),
    startedAt: r.field('startedAt', readString),
    durationMs: r.field('durationMs', readNonNegative),
    tape: r.field('tape', (v, l) => readNullable(v, l, readTape)),
    scenario: r.field('scenario', (v, l) => readNullable(v, l, readString)),
    seed: r.field('seed', (v, l) => readNullable(v, l, readInteger)),
    config: r.field('config', readFreeObject),
    versions: r.field('versions', (v, l) => readRecord(v, l, readString)),
    machine: r.field('machine', (v, l) => readRecord(v, l, readStringOrNumber)),
    services: r.field('services', (v, l) => readRecord(v, l, readString)),
  };
  r.done();
  return run;
}

function readBucket(value: unknown, loc: Location): LatencySummary['buckets'][number] {
  const r = new ObjectReader(value, loc);
  const b = { leMs: r.field('leMs', readNumber), count: r.field('count', readNonNegative) };
  r.done();
  return b;
}

export function readLatency(value: unknown, loc: Location): LatencySummary {
  const r = new ObjectReader(value, loc);
  const lat: LatencySummary = {
    name: r.field('name', readString),
    count: r.field('count', readNonNegative),
    p50Ms: r.field('p50Ms', readNumber),
    p99Ms: r.field('p99Ms', readNumber),
    p999Ms: r.field('p999Ms', readNumber),
    maxMs: r.field('maxMs', readNumber),
    buckets: r.field('buckets', (v, l) => readArray(v, l, readBucket)),
  };
  r.done();
  return lat;
}

function readLoadStep(value: unknown, loc: Location): LoadStep {
  const r = new ObjectReader(value, loc);
  const step: LoadStep = {
    offeredRate: r.field('offeredRate', readNonNegative),
    achievedRate: r.field('achievedRate', readNonNegative),
    lost: r.field('lost', readNonNegative),
    duplicated: r.field('duplicated', readNonNegative),
    latency: r.field('latency', (v, l) => readArray(v, l, readLatency)),
    pass: r.field('pass', readBoolean),
    reason: r.field('reason', (v, l) => readNullable(v, l, readString)),
  };
  r.done();
  return step;
}

function checkConsistency(results: RunResults, loc: Location): void {
  const seen = new Set<string>();
  results.checks.forEach((check, i) => {
    if (seen.has(check.id)) {
      throw invalid({ ...loc, path: `checks[${i}].id` }, `repeats the check id ${JSON.stringify(check.id)}`);
    }
    seen.add(check.id);
  });
  const failed = results.checks.filter((c) => !c.pass).length;
  if (results.verdict === 'pass' && failed > 0) {
    throw invalid(
      { ...loc, path: 'verdict' },
      `is "pass" but ${failed} of ${results.checks.length} checks failed; the results contradict themselves`,
    );
  }
  if (results.verdict === 'pass' && results.checks.length === 0) {
    throw invalid({ ...loc, path: 'verdict' }, 'is "pass" but no check ran; a pass needs at least one check');
  }
  if (results.verdict === 'fail' && results.checks.length > 0 && failed === 0) {
    throw invalid(
      { ...loc, path: 'verdict' },
      `is "fail" but all ${results.checks.length} checks passed; a failed run must say which check failed`,
    );
  }
}

/** Parse and validate the text of a `results.json`; `file` names it in errors. */
export function parseRunResults(text: string, file = 'results.json'): ValidatedResults {
  const ignored: string[] = [];
  const loc = rootLocation(file, ignored);
  const r = new ObjectReader(parseJsonText(text, loc), loc);
  const results: RunResults = {
    schema: r.field('schema', (v, l) => readLiteral(v, l, ['l2h.results/1'] as const)),
    verdict: r.field('verdict', (v, l) => readLiteral(v, l, ['pass', 'fail'] as const)),
    run: r.field('run', readRun),
    checks: r.field('checks', (v, l) => readArray(v, l, readCheck)),
    latency: r.field('latency', (v, l) => readArray(v, l, readLatency)),
    messageMix: r.field('messageMix', (v, l) => readRecord(v, l, readNonNegative)),
    load: r.field('load', (v, l) => readNullable(v, l, (w, m) => readArray(w, m, readLoadStep))),
    metricsFile: r.field('metricsFile', (v, l) => readNullable(v, l, readRunRelativePath)),
  };
  r.done();
  checkConsistency(results, loc);
  return { results, ignoredFields: ignored };
}
