import type { BenchFigure } from './figure.js';

/** What a suite gets from the runner. */
export interface BenchContext {
  /** Shorter runs (CI smoke): fewer rounds, smaller inputs. Figures are noisier. */
  readonly quick: boolean;
  /** Progress notes for stderr. */
  log(message: string): void;
  /**
   * `--cpu-prof DIR`: suites that start processes of their own (collector, simulator) start them
   * with `node --cpu-prof --cpu-prof-dir DIR`, so a missed target comes with its profile. Null
   * when not asked for.
   */
  readonly cpuProfDir: string | null;
  /** Where a suite may keep generated inputs between runs (big tapes): `L2H_CACHE_DIR` or `.cache/`. */
  readonly cacheDir: string;
}

/** A benchmark suite: one file per suite in bench/suites/, listed in bench/suites/index.ts. */
export interface BenchSuite {
  readonly name: string;
  readonly description: string;
  run(context: BenchContext): Promise<readonly BenchFigure[]>;
}
