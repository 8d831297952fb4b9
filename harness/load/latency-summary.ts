import type { LatencySummary } from '../results/types.js';

/** Histogram bounds for reports (ms): log-spaced from 50 µs to 10 s, then everything above. */
export const LATENCY_BUCKETS_MS = [
  0.05,
  0.1,
  0.25,
  0.5,
  1,
  2.5,
  5,
  10,
  25,
  50,
  100,
  250,
  500,
  1000,
  2500,
  5000,
  10000,
  Number.POSITIVE_INFINITY,
] as const;

/** The value at quantile `q` of ascending `sorted` (nearest rank). */
export function quantile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil(q * sorted.length) - 1;
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank))]!;
}

function round3(n: number): number {
  return Math.round(n * 1000) / 1000;
}

/**
 * Exact percentiles of a latency sample (µs) as a report's `LatencySummary` (ms). Bucket counts
 * are per bucket, not cumulative; the last bound is infinite and written as the largest sample.
 */
export function summarizeLatencyUs(name: string, samplesUs: Float64Array): LatencySummary {
  const sorted = Float64Array.from(samplesUs).sort();
  const counts = new Array<number>(LATENCY_BUCKETS_MS.length).fill(0);
  let b = 0;
  for (let i = 0; i < sorted.length; i++) {
    const ms = sorted[i]! / 1000;
    while (ms > LATENCY_BUCKETS_MS[b]!) b++;
    counts[b]!++;
  }
  const maxMs = sorted.length > 0 ? sorted[sorted.length - 1]! / 1000 : 0;
  return {
    name,
    count: sorted.length,
    p50Ms: round3(quantile(sorted, 0.5) / 1000 || 0),
    p99Ms: round3(quantile(sorted, 0.99) / 1000 || 0),
    p999Ms: round3(quantile(sorted, 0.999) / 1000 || 0),
    maxMs: round3(maxMs),
    buckets: LATENCY_BUCKETS_MS.map((le, i) => ({
      leMs: Number.isFinite(le) ? le : Math.max(round3(maxMs), 10000),
      count: counts[i]!,
    })).filter((x, i) => x.count > 0 || i < LATENCY_BUCKETS_MS.length - 1),
  };
}

/** The collector's own histogram summary (µs, from its status file). */
export interface CollectorLatency {
  readonly count: number;
  readonly p50Us: number | null;
  readonly p90Us?: number | null;
  readonly p99Us: number | null;
  /** Not reported by every collector version; the maximum stands in as an upper bound. */
  readonly p999Us?: number | null;
  readonly maxUs: number | null;
}

/**
 * A collector-measured latency as a `LatencySummary`. Its histogram buckets are log-spaced
 * (each percentile is the upper bound of its bucket, at most 25 % above the truth). Where the
 * collector reports no p99.9, the maximum is written in its place: an upper bound, never an
 * understatement.
 */
export function fromCollectorLatency(name: string, l: CollectorLatency): LatencySummary {
  const ms = (us: number | null | undefined) => round3((us ?? 0) / 1000);
  return {
    name,
    count: l.count,
    p50Ms: ms(l.p50Us),
    p99Ms: ms(l.p99Us),
    p999Ms: ms(l.p999Us ?? l.maxUs),
    maxMs: ms(l.maxUs),
    buckets: [],
  };
}
