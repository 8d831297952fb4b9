/**
 * The one retry policy every sink runner uses (STYLE.md: "one retry policy object shared by every
 * sink"). The runner retries on `L2hError.retriable` alone; everything else — a programming error,
 * a refused configuration — fails the sink at once. Delays grow by `factor` up to `maxMs` and stay
 * there: a collector keeps trying a sink that is down for as long as it runs, because giving up
 * would only move the lost records from the sink to the operator.
 */
import { L2hError } from '../../common/errors.js';

export interface RetryPolicy {
  /** Delay before the first retry. */
  readonly initialMs: number;
  /** No delay is longer than this. */
  readonly maxMs: number;
  /** Each failed attempt multiplies the delay by this. */
  readonly factor: number;
  /** Share of the delay taken off at random (0.2: between 80 % and 100 % of it). */
  readonly jitter: number;
}

export const SINK_RETRY_POLICY: RetryPolicy = Object.freeze({
  initialMs: 100,
  maxMs: 5000,
  factor: 2,
  jitter: 0.2,
});

/** Delay before retry number `attempt` (1 = the first retry). `random` is uniform in [0, 1). */
export function retryDelayMs(policy: RetryPolicy, attempt: number, random: () => number): number {
  const base = Math.min(policy.maxMs, policy.initialMs * policy.factor ** Math.max(0, attempt - 1));
  return Math.round(base * (1 - policy.jitter * random()));
}

export function isRetriable(err: unknown): boolean {
  return err instanceof L2hError && err.retriable;
}
