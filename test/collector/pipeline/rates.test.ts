import { describe, expect, it } from 'vitest';
import { RateTracker } from '../../../collector/pipeline/rates.js';

describe('RateTracker', () => {
  it('reports lines per second over each interval, stamped with the time it was taken', () => {
    const r = new RateTracker();
    r.sample({ L1: 0, L2: 0, ADMIN: 0 }, 1_000);
    expect(r.sampledAt()).toBeNull();
    expect(r.history()).toEqual([]);

    r.sample({ L1: 500, L2: 3000, ADMIN: 1 }, 2_000);
    r.sample({ L1: 800, L2: 3000, ADMIN: 1 }, 2_500);
    expect(r.rates()).toEqual({ L1: 600, L2: 0, ADMIN: 0 });
    expect(r.sampledAt()).toBe(2_500);
    expect(r.history().map((s) => s.t)).toEqual([2_000, 2_500]);
    // Rate × interval gives back every line counted.
    const h = r.history();
    expect(h[0]!.rates.L1 * 1 + h[1]!.rates.L1 * 0.5).toBe(800);
  });

  it('keeps ten minutes of one-second samples', () => {
    const r = new RateTracker();
    for (let i = 0; i <= 700; i++) r.sample({ L1: i, L2: 0, ADMIN: 0 }, i * 1000);
    expect(r.history()).toHaveLength(600);
    expect(r.history()[0]!.t).toBe(101_000);
  });
});
