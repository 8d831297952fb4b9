import type { BenchFigure } from './figure.js';

/** What a suite gets from the runner. */
export interface BenchContext {
  /** Shorter runs (CI smoke): fewer rounds, smaller inputs. Figures are noisier. */
  readonly quick: boolean;
  /** Progress notes for stderr. */
  log(message: string): void;
}

/** A benchmark suite: one file per suite in bench/suites/, listed in bench/suites/index.ts. */
export interface BenchSuite {
  readonly name: string;
  readonly description: string;
  run(context: BenchContext): Promise<readonly BenchFigure[]>;
}
