import { describe, expect, it } from 'vitest';
import { type BenchFigure, figure } from '../../bench/figure.js';
import { compareResults } from '../../bench/regression.js';
import type { BenchResults } from '../../bench/results.js';

function results(
  figures: Record<string, readonly BenchFigure[]>,
  errors: Record<string, string> = {},
): BenchResults {
  const load = [0.5, 0.5, 0.5] as const;
  return {
    schema: 'l2h.bench/1',
    date: '2026-11-25',
    commit: 'abc1234',
    dirty: false,
    command: 'npm run bench',
    machine: {
      hostname: 'h',
      os: 'linux',
      platform: 'linux x64',
      cpus: 2,
      cpuModel: 'Xeon',
      memoryMb: 24000,
      node: 'v20',
    },
    loadAverage: { start: load, end: load },
    durationS: 1,
    suites: Object.fromEntries(
      [...new Set([...Object.keys(figures), ...Object.keys(errors)])].map((name) => [
        name,
        {
          ranAt: '2026-11-25T00:00:00Z',
          durationS: 1,
          quick: false,
          loadAverage: { start: load, end: load },
          figures: figures[name] ?? [],
          ...(errors[name] ? { error: errors[name] } : {}),
        },
      ]),
    ),
  };
}

const rate = (value: number, baseline?: number) =>
  figure({
    name: 'e2e',
    value,
    unit: 'msgs/s',
    ...(baseline ? { baseline: { name: 'loopback', value: baseline } } : {}),
  });
const p99 = (value: number, baseline?: number) =>
  figure({
    name: 'p99',
    value,
    unit: 'ms',
    better: 'lower',
    ...(baseline ? { baseline: { name: '1k', value: baseline } } : {}),
  });

describe('bench regression gate', () => {
  it('compares ratios to the same-run baseline where both runs have one, not raw values', () => {
    // The machine got twice as slow: raw value halves, but so does its baseline; the ratio holds.
    const c = compareResults(
      results({ s: [rate(200_000, 1_000_000)] }),
      results({ s: [rate(100_000, 500_000)] }),
      {
        maxRegression: 0.1,
      },
    );
    expect(c.figures[0]).toMatchObject({ basis: 'ratio', verdict: 'same' });
    expect(c.regressions).toEqual([]);
  });

  it('flags a throughput whose ratio fell by more than the allowance', () => {
    const c = compareResults(
      results({ s: [rate(200_000, 1_000_000)] }),
      results({ s: [rate(170_000, 1_000_000)] }),
      {
        maxRegression: 0.1,
      },
    );
    expect(c.regressions.map((r) => r.name)).toEqual(['e2e']);
    expect(c.regressions[0]!.change).toBeCloseTo(0.85);
  });

  it('does not flag improvements, and flags a latency that grew (lower is better)', () => {
    const before = results({ s: [rate(200_000), p99(2)] });
    const after = results({ s: [rate(400_000), p99(3)] });
    const c = compareResults(before, after, { maxRegression: 0.2 });
    expect(c.figures.find((f) => f.name === 'e2e')).toMatchObject({ basis: 'value', verdict: 'improved' });
    expect(c.regressions.map((r) => r.name)).toEqual(['p99']);
  });

  it('keeps a change inside the allowance, and honours a per-figure allowance', () => {
    const before = results({ s: [p99(2)] });
    const after = results({ s: [p99(2.3)] });
    expect(compareResults(before, after, { maxRegression: 0.2 }).regressions).toEqual([]);
    expect(compareResults(before, after, { maxRegression: 0.1 }).regressions).toHaveLength(1);
    expect(
      compareResults(before, after, { maxRegression: 0.1, overrides: { 's/p99': 0.5 } }).regressions,
    ).toEqual([]);
  });

  it('reports figures missing from the new run, with the suite error, and new figures', () => {
    const before = results({ a: [rate(1)], b: [p99(1)] });
    const after = results(
      { a: [rate(1), figure({ name: 'fresh', value: 3, unit: 'x' })] },
      { b: 'ClickHouse down' },
    );
    const c = compareResults(before, after, { maxRegression: 0.1 });
    expect(c.missing).toEqual([
      { suite: 'b', name: 'p99', missingIn: 'after', reason: 'ClickHouse down' },
      { suite: 'a', name: 'fresh', missingIn: 'before', reason: null },
    ]);
  });

  it('warns when the runs were made on different machines', () => {
    const before = results({ s: [rate(1)] });
    const after = { ...results({ s: [rate(1)] }), machine: { ...before.machine, cpus: 8 } };
    expect(compareResults(before, after, { maxRegression: 0.1 }).warnings[0]).toMatch(/different machines/);
  });
});

describe('bench regression gate: a BEFORE of 0', () => {
  const lag = (value: number) =>
    figure({ name: 'jsonl sink lag, max', value, unit: 'lines', better: 'lower' });

  it('flags a lower-is-better figure that rose from 0 beyond the absolute tolerance', () => {
    const c = compareResults(results({ s: [lag(0)] }), results({ s: [lag(900_000)] }), {
      maxRegression: 0.1,
    });
    expect(c.regressions.map((r) => r.name)).toEqual(['jsonl sink lag, max']);
    expect(c.regressions[0]).toMatchObject({ basis: 'value', before: 0, after: 900_000 });
  });

  it('keeps a rise from 0 within the absolute tolerance, and 0 → 0', () => {
    const opts = { maxRegression: 0.1, absoluteTolerance: 5 };
    expect(compareResults(results({ s: [lag(0)] }), results({ s: [lag(5)] }), opts).figures).toMatchObject([
      { verdict: 'same' },
    ]);
    expect(
      compareResults(results({ s: [lag(0)] }), results({ s: [lag(0)] }), { maxRegression: 0.1 }).figures,
    ).toMatchObject([{ verdict: 'same' }]);
  });

  it('lists a higher-is-better figure whose BEFORE is 0 as not comparable', () => {
    const c = compareResults(results({ s: [rate(0)] }), results({ s: [rate(1000)] }), { maxRegression: 0.1 });
    expect(c.figures).toEqual([]);
    expect(c.notComparable).toMatchObject([{ suite: 's', name: 'e2e', before: 0, after: 1000 }]);
  });
});

describe('bench regression gate: baselines that changed between the runs', () => {
  const ch = (value: number, baseline: string, baselineValue: number) =>
    figure({
      name: 'ClickHouse sink write',
      value,
      unit: 'records/s',
      baseline: { name: baseline, value: baselineValue },
    });

  it('compares raw values, and says so, when the two runs measured different baselines', () => {
    const c = compareResults(
      results({ sinks: [ch(70_000, 'JSONL sink, same records, same run', 800_000)] }),
      results({ sinks: [ch(35_000, 'JSONL sink without fdatasync', 300_000)] }),
      { maxRegression: 0.1 },
    );
    expect(c.figures[0]).toMatchObject({
      basis: 'value',
      before: 70_000,
      after: 35_000,
      verdict: 'regressed',
    });
    expect(c.figures[0]!.note).toMatch(/baseline/);
  });

  it('lists the BEFORE suites that failed or measured nothing: nothing of them was compared', () => {
    const c = compareResults(
      results({ e2e: [], quiet: [] }, { e2e: 'simulator did not start' }),
      results({ e2e: [rate(1000)], quiet: [] }),
      { maxRegression: 0.1 },
    );
    expect(c.unmeasured).toEqual([
      { suite: 'e2e', reason: 'simulator did not start' },
      { suite: 'quiet', reason: 'no figures' },
    ]);
  });
});

describe('bench regression gate: provenance per suite', () => {
  it("reads a suite's own machine and tree over the file's, and the file's where the suite has none", () => {
    const before = results({ s: [rate(1)], t: [rate(1)] });
    const merged = results({ s: [rate(1)], t: [rate(1)] });
    // A merged file: suite s came from an earlier run, on another machine and a modified tree.
    const after: BenchResults = {
      ...merged,
      suites: {
        ...merged.suites,
        s: {
          ...merged.suites['s']!,
          dirty: true,
          commit: 'abc1234',
          machine: { ...merged.machine, cpus: 8 },
        },
      },
    };
    const w = compareResults(before, after, { maxRegression: 0.1 }).warnings;
    expect(w).toHaveLength(2);
    expect(w[0]).toMatch(/different machines.*2× Xeon.*8× Xeon/);
    expect(w[1]).toBe('AFTER was measured on a modified work tree of abc1234: suites s');
    // Old layout: only the file says it, and every suite inherits it.
    const oldDirty = { ...results({ s: [rate(1)], t: [rate(1)] }), dirty: true };
    expect(compareResults(oldDirty, before, { maxRegression: 0.1 }).warnings).toEqual([
      'BEFORE was measured on a modified work tree of abc1234: suites s, t',
    ]);
  });
});
