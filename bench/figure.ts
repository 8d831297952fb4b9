/**
 * One measured figure of a benchmark run, as written to bench/results/*.json. A figure may
 * carry the baseline it was measured beside (in the same run, so machine noise cancels out),
 * the ratio to it, and a target with whether it was met.
 */
export interface BenchFigure {
  readonly name: string;
  readonly value: number;
  readonly unit: string;
  readonly baseline?: { readonly name: string; readonly value: number };
  /** value / baseline.value */
  readonly ratio?: number;
  readonly target?: { readonly op: '>=' | '<='; readonly value: number };
  readonly pass?: boolean;
  /** Which way is better; when absent it follows the target, else the unit (`…/s` is higher). */
  readonly better?: 'higher' | 'lower';
  /** How it was measured, where the name alone does not say (conditions, CPU time…). */
  readonly note?: string;
}

export interface FigureInput {
  readonly name: string;
  readonly value: number;
  readonly unit: string;
  readonly baseline?: { readonly name: string; readonly value: number };
  readonly target?: { readonly op: '>=' | '<='; readonly value: number };
  readonly better?: 'higher' | 'lower';
  readonly note?: string;
}

/** A figure with its ratio and pass computed from the baseline and target, when given. */
export function figure(input: FigureInput): BenchFigure {
  const { baseline, target } = input;
  return {
    ...input,
    ...(baseline && baseline.value !== 0 ? { ratio: input.value / baseline.value } : {}),
    ...(target
      ? { pass: target.op === '>=' ? input.value >= target.value : input.value <= target.value }
      : {}),
  };
}

/** Whether a larger value of this figure is an improvement. */
export function higherIsBetter(f: Pick<BenchFigure, 'better' | 'target' | 'unit'>): boolean {
  if (f.better !== undefined) return f.better === 'higher';
  if (f.target !== undefined) return f.target.op === '>=';
  return /\/s$|\/s\b|ratio|x$/.test(f.unit);
}
