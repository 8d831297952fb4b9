import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { L2hError } from '../../common/errors.js';
import { parseRunResults } from '../../reports/validate-results.js';
import { failingRun, passingRun } from './run-fixtures.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function toJson(value: unknown): Json {
  return JSON.parse(JSON.stringify(value)) as Json;
}

function errorOf(text: string, file = 'run/results.json'): L2hError {
  try {
    parseRunResults(text, file);
  } catch (err) {
    if (err instanceof L2hError) return err;
    throw err;
  }
  throw new Error('expected parseRunResults to reject its input');
}

/** Sets `path` (dotted, with numeric array indices) in a JSON copy of `base` to `value`. */
function withField(base: unknown, path: string, value: unknown): string {
  const doc = toJson(base);
  const keys = path.split('.');
  let node: Json = doc;
  for (const key of keys.slice(0, -1)) {
    node = (node as Record<string, Json>)[key] as Json;
  }
  const last = keys[keys.length - 1]!;
  if (value === undefined) delete (node as Record<string, Json>)[last];
  else (node as Record<string, unknown>)[last] = value;
  return JSON.stringify(doc);
}

describe('parseRunResults', () => {
  it('accepts well-formed results and returns the same data', () => {
    for (const results of [passingRun(), failingRun()]) {
      const parsed = parseRunResults(JSON.stringify(results));
      expect(parsed.results).toEqual(results);
      expect(parsed.ignoredFields).toEqual([]);
    }
  });

  it.each([
    ['checks.2.pass', 'yes', 'run/results.json: checks[2].pass must be a boolean (found string "yes")'],
    ['run.durationMs', undefined, 'run/results.json: run.durationMs is missing'],
    ['run.seed', 1.5, 'run/results.json: run.seed must be a whole number (found number 1.5)'],
    [
      'schema',
      'l2h.results/2',
      'run/results.json: schema must be one of "l2h.results/1" (found string "l2h.results/2")',
    ],
    ['checks.0.group', 'speed', 'run/results.json: checks[0].group must be one of "zero-loss", "books"'],
    [
      'checks.2.evidence.bookDiff.expected.bids.1.size',
      '40',
      'checks[2].evidence.bookDiff.expected.bids[1].size must be a number',
    ],
    [
      'latency.0.buckets.0.count',
      -1,
      'run/results.json: latency[0].buckets[0].count must be a number ≥ 0 (found number -1)',
    ],
    ['messageMix', [], 'run/results.json: messageMix must be an object (found an array of 0)'],
    ['load.3.reason', 7, 'run/results.json: load[3].reason must be a string (found number 7)'],
    ['run.machine.cpus', true, 'run/results.json: run.machine.cpus must be a string (found boolean true)'],
  ] as const)('names the file and field when %s is wrong', (path, value, message) => {
    const err = errorOf(withField(failingRun(), path, value));
    expect(err.code).toBe('BAD_INPUT');
    expect(err.message).toContain(message);
    expect(err.context.file).toBe('run/results.json');
  });

  it('rejects text that is not JSON, naming the file', () => {
    const err = errorOf('{"schema": "l2h.results/1",', 'x/results.json');
    expect(err.code).toBe('BAD_INPUT');
    expect(err.message).toMatch(/^x\/results\.json is not valid JSON: /);
  });

  it('rejects evidence files and a metrics file outside the run directory', () => {
    for (const [path, bad] of [
      ['checks.2.evidence.files.0', '../../etc/passwd'],
      ['checks.2.evidence.files.0', '/etc/passwd'],
      ['metricsFile', 'a/../../b.jsonl'],
      ['metricsFile', ''],
    ] as const) {
      const err = errorOf(withField(failingRun(), path, bad));
      expect(err.message, bad).toContain('must be a path relative to the run directory, inside it');
    }
    const ok = parseRunResults(withField(failingRun(), 'metricsFile', './timeline/./metrics.jsonl'));
    expect(ok.results.metricsFile).toBe('timeline/metrics.jsonl');
  });

  it('refuses results whose verdict contradicts their checks', () => {
    const passWithFailure = withField(failingRun(), 'verdict', 'pass');
    expect(errorOf(passWithFailure).message).toBe(
      'run/results.json: verdict is "pass" but 3 of 5 checks failed; the results contradict themselves',
    );
    expect(errorOf(withField(passingRun(), 'verdict', 'fail')).message).toContain(
      'is "fail" but all 4 checks passed',
    );
    expect(errorOf(withField(passingRun(), 'checks', [])).message).toContain('is "pass" but no check ran');
    const noChecksFail = { ...failingRun(), checks: [] };
    expect(parseRunResults(JSON.stringify(noChecksFail)).results.checks).toEqual([]);
  });

  it('refuses two checks with one id', () => {
    const results = passingRun();
    const doubled = { ...results, checks: [...results.checks, results.checks[0]!] };
    expect(errorOf(JSON.stringify(doubled)).message).toBe(
      'run/results.json: checks[4].id repeats the check id "zero-loss.journal-vs-simulator"',
    );
  });

  it('lists fields it does not know instead of dropping them silently', () => {
    const text = withField(
      JSON.parse(withField(passingRun(), 'checks.1.evidence.plot', 'x.png')),
      'producer',
      'v2',
    );
    const parsed = parseRunResults(text);
    expect(parsed.ignoredFields).toEqual(['checks[1].evidence.plot', 'producer']);
  });

  it('never fails with anything but a BAD_INPUT L2hError, whatever a field holds', () => {
    const base = toJson(failingRun());
    const paths: string[][] = [];
    const walk = (node: Json, path: string[]) => {
      paths.push(path);
      if (node !== null && typeof node === 'object') {
        for (const [k, v] of Object.entries(node)) walk(v, [...path, k]);
      }
    };
    walk(base, []);
    const anyJson = fc.jsonValue() as fc.Arbitrary<Json>;
    fc.assert(
      fc.property(fc.constantFrom(...paths.filter((p) => p.length > 0)), anyJson, (path, value) => {
        const doc = toJson(base);
        let node = doc as Record<string, Json>;
        for (const key of path.slice(0, -1)) node = node[key] as Record<string, Json>;
        node[path[path.length - 1]!] = value;
        try {
          parseRunResults(JSON.stringify(doc));
        } catch (err) {
          expect(err).toBeInstanceOf(L2hError);
          expect((err as L2hError).code).toBe('BAD_INPUT');
        }
      }),
      { numRuns: 500, seed: 20261124 },
    );
  });
});
