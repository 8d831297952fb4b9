/**
 * Throughput measurement: run a batch repeatedly for a while and keep the best rate. The best
 * round (not the mean) is the figure because background load only ever slows a round down.
 */
export interface MeasureOptions {
  /** Rounds to time after warm-up. */
  readonly rounds: number;
  /** Untimed rounds first, so the JIT has optimised the code under test. */
  readonly warmup: number;
}

export interface Rate {
  /** Units per second of the best round. */
  readonly perSecond: number;
  /** Sum of what the batch returned, so the work cannot be optimised away. */
  readonly checksum: number;
}

/** `batch` does `units` units of work and returns a number derived from the results. */
export function measureRate(batch: () => number, units: number, options: MeasureOptions): Rate {
  let checksum = 0;
  for (let i = 0; i < options.warmup; i++) checksum += batch();
  let best = 0;
  for (let i = 0; i < options.rounds; i++) {
    const start = process.hrtime.bigint();
    checksum += batch();
    const ns = Number(process.hrtime.bigint() - start);
    best = Math.max(best, (units * 1e9) / ns);
  }
  return { perSecond: best, checksum };
}
