/**
 * Throughput measurement: run a batch repeatedly for a while and keep the best rate. The best
 * round (not the mean) is the figure because background load only ever slows a round down.
 *
 * On a shared machine wall time also counts the time other processes held the core. With `cpu`
 * the rate is measured against this process's CPU time as well (process.cpuUsage: user + system),
 * which is what the code under test itself cost; the two side by side say how noisy the round was.
 */
export interface MeasureOptions {
  /** Rounds to time after warm-up. */
  readonly rounds: number;
  /** Untimed rounds first, so the JIT has optimised the code under test. */
  readonly warmup: number;
  /** Also measure units per CPU-second of this process. */
  readonly cpu?: boolean;
}

export interface Rate {
  /** Units per second of the best round (wall clock). */
  readonly perSecond: number;
  /** Units per CPU-second of this process in its best round; present when `cpu` was asked for. */
  readonly perCpuSecond?: number;
  /** Sum of what the batch returned, so the work cannot be optimised away. */
  readonly checksum: number;
}

/** Wall and CPU time (µs) of one synchronous call. */
function timed(fn: () => number): { wallUs: number; cpuUs: number; result: number } {
  const cpu0 = process.cpuUsage();
  const start = process.hrtime.bigint();
  const result = fn();
  const wallUs = Number(process.hrtime.bigint() - start) / 1000;
  const cpu = process.cpuUsage(cpu0);
  return { wallUs, cpuUs: cpu.user + cpu.system, result };
}

/** `batch` does `units` units of work and returns a number derived from the results. */
export function measureRate(batch: () => number, units: number, options: MeasureOptions): Rate {
  let checksum = 0;
  for (let i = 0; i < options.warmup; i++) checksum += batch();
  let best = 0;
  let bestCpu = 0;
  for (let i = 0; i < options.rounds; i++) {
    const t = timed(batch);
    checksum += t.result;
    best = Math.max(best, (units * 1e6) / t.wallUs);
    // cpuUsage ticks coarsely (often 1–10 ms); a round shorter than that gives no CPU figure.
    if (t.cpuUs > 0) bestCpu = Math.max(bestCpu, (units * 1e6) / t.cpuUs);
  }
  return options.cpu ? { perSecond: best, perCpuSecond: bestCpu, checksum } : { perSecond: best, checksum };
}

export interface CpuSpan {
  /** Wall time since `startCpuSpan`, in seconds. */
  readonly wallS: number;
  /** This process's CPU time (user + system) since `startCpuSpan`, in seconds. */
  readonly cpuS: number;
}

/**
 * Wall and CPU time of an asynchronous piece of work in this process:
 * `const span = startCpuSpan(); await work(); const { wallS, cpuS } = span.end();`
 */
export function startCpuSpan(): { end(): CpuSpan } {
  const cpu0 = process.cpuUsage();
  const start = process.hrtime.bigint();
  return {
    end() {
      const wallS = Number(process.hrtime.bigint() - start) / 1e9;
      const cpu = process.cpuUsage(cpu0);
      return { wallS, cpuS: (cpu.user + cpu.system) / 1e6 };
    },
  };
}

/** The value at quantile `q` (0–1) of ascending `sorted`, by rank floor(q·n); 0 when empty. */
export function quantile(sorted: readonly number[], q: number): number {
  return sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}
