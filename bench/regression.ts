import { type BenchFigure, higherIsBetter } from './figure.js';
import { type BenchResults, suiteProvenance } from './results.js';

/**
 * The regression gate's arithmetic. For each figure in both files, compare like with like:
 * the ratio to its same-run baseline where both runs measured the same baseline (machine noise
 * cancels out), else the raw value. A figure regressed when it moved the wrong way by more than
 * the allowed fraction; improvements and figures within the band pass. Nothing is dropped
 * silently: a figure that cannot be compared, or a BEFORE suite that measured nothing, is listed.
 */
export interface CompareOptions {
  /** Allowed fraction for the worse direction, e.g. 0.1 = 10 % (default). */
  readonly maxRegression: number;
  /** Per-figure overrides, by `suite/figure name` or by figure name. */
  readonly overrides?: Readonly<Record<string, number>>;
  /**
   * How far, in the figure's own unit, a lower-is-better figure may rise from a BEFORE of 0
   * (default 0). No fraction of 0 allows anything, yet a lag of 0 lines becoming 900,000 must fail.
   */
  readonly absoluteTolerance?: number;
}

export interface FigureComparison {
  readonly suite: string;
  readonly name: string;
  /** What was compared: the ratio to the same-run baseline, or the raw value. */
  readonly basis: 'ratio' | 'value';
  readonly before: number;
  readonly after: number;
  readonly unit: string;
  /** after / before of the compared quantity; null when BEFORE is 0 (judged by `allowedAbsolute`). */
  readonly change: number | null;
  readonly higherIsBetter: boolean;
  readonly allowed: number;
  /** Set when BEFORE is 0: the rise, in `unit`, that still passes. */
  readonly allowedAbsolute?: number;
  readonly verdict: 'regressed' | 'improved' | 'same';
  /** Set when the raw value was compared though both runs had a ratio: the baselines differ. */
  readonly baselines?: { readonly before: string | null; readonly after: string | null };
  /** Why the comparison is not the usual one, for the reader of the table. */
  readonly note?: string;
}

/** A figure in both files that no comparison can judge; listed so that it is not mistaken for a pass. */
export interface NotComparable {
  readonly suite: string;
  readonly name: string;
  readonly before: number;
  readonly after: number;
  readonly unit: string;
  readonly reason: string;
}

/** A suite of BEFORE with nothing to compare against: it threw, or it wrote no figures. */
export interface UnmeasuredSuite {
  readonly suite: string;
  readonly reason: string;
}

export interface MissingFigure {
  readonly suite: string;
  readonly name: string;
  /** Which file lacks it: `after` (lost in the new run: a suite broke) or `before` (new). */
  readonly missingIn: 'before' | 'after';
  readonly reason: string | null;
}

export interface Comparison {
  readonly figures: readonly FigureComparison[];
  readonly missing: readonly MissingFigure[];
  readonly notComparable: readonly NotComparable[];
  readonly unmeasured: readonly UnmeasuredSuite[];
  readonly regressions: readonly FigureComparison[];
  /** Differences in how the two runs were made that make the comparison weaker. */
  readonly warnings: readonly string[];
}

function figureMap(results: BenchResults): Map<string, { suite: string; figure: BenchFigure }> {
  const map = new Map<string, { suite: string; figure: BenchFigure }>();
  for (const [suite, s] of Object.entries(results.suites)) {
    for (const figure of s.figures) map.set(`${suite}/${figure.name}`, { suite, figure });
  }
  return map;
}

function compareFigure(
  suite: string,
  a: BenchFigure,
  b: BenchFigure,
  options: CompareOptions,
): FigureComparison | NotComparable {
  const bothRatios = a.ratio !== undefined && b.ratio !== undefined;
  // A ratio cancels the machine only against the same baseline: once the baseline changed, the
  // ratio moves with the baseline's own change, and a halved throughput can read as an improvement.
  const sameBaseline =
    bothRatios && a.baseline !== undefined && b.baseline !== undefined && a.baseline.name === b.baseline.name;
  const baselines =
    bothRatios && !sameBaseline
      ? { before: a.baseline?.name ?? null, after: b.baseline?.name ?? null }
      : undefined;
  // A ratio of 0 is a value of 0: judged by the absolute tolerance, which is in the figure's unit.
  const useRatio = sameBaseline && a.ratio !== 0;
  const before = useRatio ? a.ratio! : a.value;
  const after = useRatio ? b.ratio! : b.value;
  const unit = useRatio ? 'x' : b.unit;
  const up = higherIsBetter(b);
  const notComparable = (reason: string): NotComparable => ({
    suite,
    name: b.name,
    before,
    after,
    unit,
    reason,
  });
  if (!Number.isFinite(before) || !Number.isFinite(after)) return notComparable('not a finite number');
  if (before < 0 || after < 0) return notComparable('negative: a relative change means nothing');
  const common = {
    suite,
    name: b.name,
    basis: useRatio ? ('ratio' as const) : ('value' as const),
    before,
    after,
    unit,
    higherIsBetter: up,
    allowed:
      options.overrides?.[`${suite}/${b.name}`] ?? options.overrides?.[b.name] ?? options.maxRegression,
    ...(baselines
      ? {
          baselines,
          note: `baselines differ (${JSON.stringify(baselines.before)} before, ${JSON.stringify(baselines.after)} after): raw values compared`,
        }
      : {}),
  };
  if (before === 0) {
    // Nothing is "x % worse" than 0. Higher-is-better from 0 means BEFORE measured nothing; for
    // lower-is-better, 0 is the best there is, so any rise past the tolerance is a regression.
    if (up) return notComparable('BEFORE is 0 and higher is better: no baseline to hold AFTER to');
    const allowedAbsolute = options.absoluteTolerance ?? 0;
    return {
      ...common,
      change: null,
      allowedAbsolute,
      verdict: after > allowedAbsolute ? 'regressed' : 'same',
      note: [common.note, 'BEFORE is 0: judged by the absolute tolerance'].filter(Boolean).join('; '),
    };
  }
  const change = after / before;
  // Compare as "how much worse": a throughput at 0.85× is 15 % worse, a latency at 1.2× is 20 % worse.
  const worse = up ? 1 - change : change - 1;
  const verdict = worse > common.allowed ? 'regressed' : worse < -common.allowed ? 'improved' : 'same';
  return { ...common, change, verdict };
}

/** `--allow` names that match no figure of either file: they would silently allow nothing. */
export function unmatchedOverrides(
  before: BenchResults,
  after: BenchResults,
  overrides: Readonly<Record<string, number>>,
): string[] {
  const known = new Set<string>();
  for (const results of [before, after]) {
    for (const [key, { figure }] of figureMap(results)) {
      known.add(key);
      known.add(figure.name);
    }
  }
  return Object.keys(overrides).filter((name) => !known.has(name));
}

export function compareResults(
  before: BenchResults,
  after: BenchResults,
  options: CompareOptions,
): Comparison {
  const a = figureMap(before);
  const b = figureMap(after);
  const figures: FigureComparison[] = [];
  const missing: MissingFigure[] = [];
  const notComparable: NotComparable[] = [];
  for (const [key, { suite, figure }] of a) {
    const other = b.get(key);
    if (other === undefined) {
      missing.push({
        suite,
        name: figure.name,
        missingIn: 'after',
        reason: after.suites[suite]?.error ?? null,
      });
      continue;
    }
    const c = compareFigure(suite, figure, other.figure, options);
    if ('verdict' in c) figures.push(c);
    else notComparable.push(c);
  }
  for (const [key, { suite, figure }] of b) {
    if (!a.has(key)) missing.push({ suite, name: figure.name, missingIn: 'before', reason: null });
  }
  const unmeasured: UnmeasuredSuite[] = [];
  for (const [suite, s] of Object.entries(before.suites)) {
    if (s.error !== undefined) unmeasured.push({ suite, reason: s.error });
    else if (s.figures.length === 0) unmeasured.push({ suite, reason: 'no figures' });
  }
  // Per suite, since a file merges runs that may have been made on different machines or trees.
  const warnings = new Set<string>();
  const dirty = new Map<string, string[]>();
  for (const suite of Object.keys(after.suites)) {
    if (before.suites[suite] === undefined) continue;
    const pa = suiteProvenance(before, suite);
    const pb = suiteProvenance(after, suite);
    const ma = pa.machine;
    const mb = pb.machine;
    if (ma && mb && (ma.cpus !== mb.cpus || ma.cpuModel !== mb.cpuModel || ma.node !== mb.node)) {
      warnings.add(
        `different machines or node: ${ma.cpus}× ${ma.cpuModel} node ${ma.node} vs ${mb.cpus}× ${mb.cpuModel} node ${mb.node}; raw values are not comparable`,
      );
    }
    for (const [which, p] of [
      ['BEFORE', pa],
      ['AFTER', pb],
    ] as const) {
      if (!p.dirty) continue;
      const key = `${which} ${p.commit}`;
      dirty.set(key, [...(dirty.get(key) ?? []), suite]);
    }
  }
  for (const [key, suites] of dirty) {
    const [which, commit] = key.split(' ');
    warnings.add(`${which} was measured on a modified work tree of ${commit}: suites ${suites.join(', ')}`);
  }
  for (const [suite, s] of Object.entries(after.suites)) {
    const p = before.suites[suite];
    if (p?.quick !== undefined && s.quick !== undefined && p.quick !== s.quick)
      warnings.add(`suite ${suite}: one run was --quick, the other not`);
  }
  return {
    figures,
    missing,
    notComparable,
    unmeasured,
    regressions: figures.filter((f) => f.verdict === 'regressed'),
    warnings: [...warnings],
  };
}
