import { type BenchFigure, higherIsBetter } from './figure.js';
import type { BenchResults } from './results.js';

/**
 * The regression gate's arithmetic. For each figure in both files, compare like with like:
 * the ratio to its same-run baseline where both runs have one (machine noise cancels out),
 * else the raw value. A figure regressed when it moved the wrong way by more than the allowed
 * fraction; improvements and figures within the band pass.
 */
export interface CompareOptions {
  /** Allowed fraction for the worse direction, e.g. 0.1 = 10 % (default). */
  readonly maxRegression: number;
  /** Per-figure overrides, by `suite/figure name` or by figure name. */
  readonly overrides?: Readonly<Record<string, number>>;
}

export interface FigureComparison {
  readonly suite: string;
  readonly name: string;
  /** What was compared: the ratio to the same-run baseline, or the raw value. */
  readonly basis: 'ratio' | 'value';
  readonly before: number;
  readonly after: number;
  readonly unit: string;
  /** after / before of the compared quantity. */
  readonly change: number;
  readonly higherIsBetter: boolean;
  readonly allowed: number;
  readonly verdict: 'regressed' | 'improved' | 'same';
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
): FigureComparison | null {
  const useRatio = a.ratio !== undefined && b.ratio !== undefined;
  const before = useRatio ? a.ratio! : a.value;
  const after = useRatio ? b.ratio! : b.value;
  if (!(before > 0) || !Number.isFinite(after)) return null;
  const up = higherIsBetter(b);
  const allowed =
    options.overrides?.[`${suite}/${b.name}`] ?? options.overrides?.[b.name] ?? options.maxRegression;
  const change = after / before;
  // Compare as "how much worse": a throughput at 0.85× is 15 % worse, a latency at 1.2× is 20 % worse.
  const worse = up ? 1 - change : change - 1;
  const verdict = worse > allowed ? 'regressed' : worse < -allowed ? 'improved' : 'same';
  return {
    suite,
    name: b.name,
    basis: useRatio ? 'ratio' : 'value',
    before,
    after,
    unit: useRatio ? 'x' : b.unit,
    change,
    higherIsBetter: up,
    allowed,
    verdict,
  };
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
    if (c !== null) figures.push(c);
  }
  for (const [key, { suite, figure }] of b) {
    if (!a.has(key)) missing.push({ suite, name: figure.name, missingIn: 'before', reason: null });
  }
  const warnings: string[] = [];
  if (before.machine && after.machine) {
    const ma = before.machine;
    const mb = after.machine;
    if (ma.cpus !== mb.cpus || ma.cpuModel !== mb.cpuModel || ma.node !== mb.node) {
      warnings.push(
        `different machines or node: ${ma.cpus}× ${ma.cpuModel} node ${ma.node} vs ${mb.cpus}× ${mb.cpuModel} node ${mb.node}; raw values are not comparable`,
      );
    }
  }
  for (const [suite, s] of Object.entries(after.suites)) {
    const p = before.suites[suite];
    if (p?.quick !== undefined && s.quick !== undefined && p.quick !== s.quick)
      warnings.push(`suite ${suite}: one run was --quick, the other not`);
  }
  return { figures, missing, regressions: figures.filter((f) => f.verdict === 'regressed'), warnings };
}
