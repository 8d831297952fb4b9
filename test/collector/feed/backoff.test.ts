import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backoffDelayMs } from '../../../collector/feed/backoff.js';
import { FEED_DEFAULTS } from '../../../collector/feed/options.js';

const policy = FEED_DEFAULTS.backoff;

describe('backoffDelayMs', () => {
  it('doubles from 200 ms up to the 10 s cap when the draw adds no jitter', () => {
    const delays = Array.from({ length: 10 }, (_, i) => backoffDelayMs(policy, i, () => 0));
    expect(delays).toEqual([200, 400, 800, 1600, 3200, 6400, 10_000, 10_000, 10_000, 10_000]);
  });

  it('takes off at most the jitter share: 0.3 of the base at the top of the draw', () => {
    expect(backoffDelayMs(policy, 0, () => 0.5)).toBe(170);
    expect(backoffDelayMs(policy, 8, () => 0.999_999)).toBe(7000);
  });

  it('stays within [base·(1−jitter), min(base, max)] for any attempt and draw', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2000 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (attempt, r) => {
          const d = backoffDelayMs(policy, attempt, () => r);
          const base = Math.min(policy.maxMs, policy.initialMs * 2 ** attempt);
          return d <= base && d >= Math.floor(base * (1 - policy.jitter)) && Number.isInteger(d);
        },
      ),
    );
  });

  it('treats a random source outside [0, 1) as no jitter rather than a negative delay', () => {
    expect(backoffDelayMs(policy, 0, () => 7)).toBe(200);
    expect(backoffDelayMs(policy, 0, () => Number.NaN)).toBe(200);
  });
});
