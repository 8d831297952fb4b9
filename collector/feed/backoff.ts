import type { BackoffPolicy } from './options.js';

/**
 * Delay before retry number `attempt` (0 for the first retry): `initialMs · factor^attempt`,
 * capped at `maxMs`, then shortened by a random share of at most `jitter`.
 *
 * Jitter only ever shortens: the cap stays a true upper bound (a user who sets 10 s never waits
 * 13 s), and at the cap the delays still spread over [70 %, 100 %] so several collectors that
 * lost the same IQConnect do not come back in step.
 */
export function backoffDelayMs(policy: BackoffPolicy, attempt: number, random: () => number): number {
  const base = Math.min(policy.maxMs, policy.initialMs * policy.factor ** attempt);
  const r = random();
  const share = r >= 0 && r < 1 ? r : 0;
  return Math.max(1, Math.round(base * (1 - policy.jitter * share)));
}
