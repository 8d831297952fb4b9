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
}

export interface FigureInput {
  readonly name: string;
  readonly value: number;
  readonly unit: string;
  readonly baseline?: { readonly name: string; readonly value: number };
  readonly target?: { readonly op: '>=' | '<='; readonly value: number };
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
