import type { SinkName } from '../../collector/sinks/sink.js';
import { usageError } from '../../common/errors.js';

/**
 * Which rates a load test offers, in order. Either a list (`--rates 1000,5000,20000`) or a ramp
 * (`--ramp`: from a start rate, multiplied by a factor each step, up to a maximum). Rates must
 * rise: the test stops at the first step that fails, which only means something on a rising curve.
 */
export type RatePlan =
  | { readonly kind: 'list'; readonly rates: readonly number[] }
  | { readonly kind: 'ramp'; readonly start: number; readonly factor: number; readonly max: number };

export const LOAD_DEFAULTS = {
  stepSeconds: 20,
  rampStart: 1000,
  rampFactor: 2,
  rampMax: 1_024_000,
  maxP99Ms: 50,
  // The journal is fdatasynced every 100 ms by default and a record reaches a sink only once its
  // line is durable, so journal → sink latency sits near that interval by design.
  maxSinkP99Ms: 1000,
  // A step that delivers under 90 % of its offered rate did not sustain it, lossless or not.
  minAchieved: 0.9,
  // Enough for a p99 to rest on ten lines, and a p99.9 on one.
  minLatencySamples: 1000,
} as const;

/**
 * The rates offered, in order. A ramp advances by at least 1 msgs/s (a small rate times a small
 * factor rounds back to itself) and ends on `max`: the help calls it the ramp's last rate, and a
 * ramp that stopped short of it would never have tried the rate asked for.
 */
export function planRates(plan: RatePlan): number[] {
  if (plan.kind === 'list') return [...plan.rates];
  const out: number[] = [];
  for (let r = plan.start; ; ) {
    out.push(r);
    if (r >= plan.max) break;
    r = Math.min(plan.max, Math.max(r + 1, Math.round(r * plan.factor)));
  }
  return out;
}

/** `--rates 1000,5k,20000`: positive whole numbers, rising; `k`/`m` suffixes accepted. */
export function parseRates(text: string): number[] {
  const rates = text
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean)
    .map((t) => {
      const m = /^(\d+(?:\.\d+)?)([kKmM]?)$/.exec(t);
      const n = m ? Number(m[1]) * (m[2] === '' ? 1 : m[2]!.toLowerCase() === 'k' ? 1e3 : 1e6) : Number.NaN;
      if (!Number.isInteger(n) || n <= 0) {
        throw usageError(
          `--rates: ${JSON.stringify(t)} is not a positive whole rate`,
          'e.g. --rates 1000,5000,20k',
        );
      }
      return n;
    });
  if (rates.length === 0) throw usageError('--rates names no rate', 'e.g. --rates 1000,5000,20000');
  for (let i = 1; i < rates.length; i++) {
    if (rates[i]! <= rates[i - 1]!) {
      throw usageError(
        `--rates must rise: ${rates[i]} follows ${rates[i - 1]}`,
        'list the rates from low to high, e.g. --rates 1000,5000,20000',
      );
    }
  }
  return rates;
}

export interface LoadSettings {
  readonly plan: RatePlan;
  readonly stepSeconds: number;
  readonly sinks: readonly SinkName[];
  readonly maxP99Ms: number;
  readonly maxSinkP99Ms: number;
  /** A step fails below this fraction of its offered rate (default LOAD_DEFAULTS.minAchieved). */
  readonly minAchieved?: number;
  /** A step fails with fewer feed → journal latency samples (default LOAD_DEFAULTS.minLatencySamples). */
  readonly minLatencySamples?: number;
}

export function checkSettings(s: LoadSettings): void {
  if (!(s.stepSeconds > 0))
    throw usageError(`--step must be a positive number of seconds, got ${s.stepSeconds}`);
  if (!(s.maxP99Ms > 0)) throw usageError(`--max-p99-ms must be positive, got ${s.maxP99Ms}`);
  if (!(s.maxSinkP99Ms > 0)) throw usageError(`--max-sink-p99-ms must be positive, got ${s.maxSinkP99Ms}`);
  if (s.minAchieved !== undefined && !(s.minAchieved > 0 && s.minAchieved <= 1)) {
    throw usageError(
      `--min-achieved must be a fraction in (0, 1], got ${s.minAchieved}`,
      'e.g. --min-achieved 0.9',
    );
  }
  if (
    s.minLatencySamples !== undefined &&
    !(Number.isInteger(s.minLatencySamples) && s.minLatencySamples >= 1)
  ) {
    throw usageError(`--min-latency-samples must be a whole number ≥ 1, got ${s.minLatencySamples}`);
  }
  if (s.plan.kind === 'ramp') {
    if (!(s.plan.factor > 1)) throw usageError(`--ramp-factor must be above 1, got ${s.plan.factor}`);
    if (!(s.plan.start > 0) || !(s.plan.max >= s.plan.start)) {
      throw usageError(`the ramp needs 0 < --start-rate ≤ --max-rate, got ${s.plan.start} and ${s.plan.max}`);
    }
  }
}
