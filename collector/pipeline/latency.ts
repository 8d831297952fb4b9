/**
 * Latency measurements: feed → journal (a socket read to the journal append of its lines, and
 * the same from when the read's bytes may have started waiting: collector/feed/connection.ts
 * `readTiming`) and journal → sink (append to the sink acknowledging the record durable). A fixed log-scale
 * histogram gives percentiles for the status without keeping samples; the same observations go
 * to a prom-client histogram for `/metrics`.
 */

/**
 * Bucket k < BUCKETS - 1 holds values below 10 µs × 1.25^k: the second-to-last bound is
 * 10 µs × 1.25^94 ≈ 3.6 hours, far past the 10 minutes a collector can plausibly stall. The last
 * bucket holds everything above that and has no bound of its own (see `quantile`).
 */
const BUCKETS = 96;
const BASE_US = 10;
const GROWTH = 1.25;
const LOG_GROWTH = Math.log(GROWTH);

export interface LatencySummary {
  readonly count: number;
  /**
   * Microseconds; each percentile is the upper bound of its bucket (≤ 25 % above the truth), or
   * the max when that is lower; in the overflow bucket (past ~3.6 h) the max, never below the truth.
   */
  readonly p50Us: number | null;
  readonly p90Us: number | null;
  readonly p99Us: number | null;
  readonly p999Us: number | null;
  readonly maxUs: number | null;
}

export class LatencyHistogram {
  private readonly counts = new Float64Array(BUCKETS);
  private n = 0;
  private max = 0;

  constructor(private readonly prom: { observe(value: number): void } | null = null) {}

  observe(us: number): void {
    const v = us > 0 ? us : 0;
    const k = v < BASE_US ? 0 : Math.min(BUCKETS - 1, Math.floor(Math.log(v / BASE_US) / LOG_GROWTH) + 1);
    this.counts[k]++;
    this.n++;
    if (v > this.max) this.max = v;
    this.prom?.observe(v / 1e6);
  }

  summary(): LatencySummary {
    if (this.n === 0) return { count: 0, p50Us: null, p90Us: null, p99Us: null, p999Us: null, maxUs: null };
    return {
      count: this.n,
      p50Us: this.quantile(0.5),
      p90Us: this.quantile(0.9),
      p99Us: this.quantile(0.99),
      p999Us: this.quantile(0.999),
      maxUs: Math.round(this.max),
    };
  }

  private quantile(q: number): number {
    const target = q * this.n;
    let seen = 0;
    for (let k = 0; k < BUCKETS; k++) {
      seen += this.counts[k];
      // The overflow bucket's only known upper bound is the largest value observed.
      if (seen >= target && k === BUCKETS - 1) return Math.round(this.max);
      if (seen >= target) return Math.min(Math.round(BASE_US * GROWTH ** k), Math.round(this.max));
    }
    return Math.round(this.max);
  }
}

/** Seconds-based buckets for the prom-client histograms (50 µs … 10 s). */
export const PROM_LATENCY_BUCKETS = [
  0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10,
];

/**
 * When each recent line was appended (monotonic µs), by seq, in a ring: a record's journal → sink
 * latency is looked up when its sink acknowledges it. A line older than the ring has no entry
 * (a sink that far behind is catching up, and its latency is the lag the status shows).
 */
export class AppendTimes {
  private readonly seqs: Float64Array;
  private readonly times: Float64Array;
  private readonly mask: number;

  constructor(bits = 18) {
    this.seqs = new Float64Array(1 << bits);
    this.times = new Float64Array(1 << bits);
    this.mask = (1 << bits) - 1;
  }

  set(seq: number, monoUs: number): void {
    const i = seq & this.mask;
    this.seqs[i] = seq;
    this.times[i] = monoUs;
  }

  get(seq: number): number | null {
    const i = seq & this.mask;
    return this.seqs[i] === seq ? this.times[i] : null;
  }
}
