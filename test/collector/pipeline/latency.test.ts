import { describe, expect, it } from 'vitest';
import { AppendTimes, LatencyHistogram } from '../../../collector/pipeline/latency.js';

describe('LatencyHistogram', () => {
  it('gives p50, p90, p99 and p99.9 as bucket upper bounds, at most 25 % above the truth', () => {
    const h = new LatencyHistogram();
    // 10,000 samples: 1..10,000 µs; the true p99.9 is 9,990 µs.
    for (let us = 1; us <= 10_000; us++) h.observe(us);
    const s = h.summary();
    expect(s.count).toBe(10_000);
    for (const [q, truth] of [
      [s.p50Us, 5000],
      [s.p90Us, 9000],
      [s.p99Us, 9900],
      [s.p999Us, 9990],
    ] as const) {
      expect(q).not.toBeNull();
      expect(q!).toBeGreaterThanOrEqual(truth);
      expect(q!).toBeLessThanOrEqual(Math.ceil(truth * 1.25));
    }
    expect(s.maxUs).toBe(10_000);
  });

  it('tells a tail the p99 misses: one slow sample in a thousand shows at p99.9', () => {
    const h = new LatencyHistogram();
    for (let i = 0; i < 998; i++) h.observe(100);
    h.observe(50_000);
    h.observe(50_000);
    const s = h.summary();
    expect(s.p99Us).toBeLessThan(200);
    expect(s.p999Us).toBeGreaterThanOrEqual(50_000);
    expect(new LatencyHistogram().summary()).toEqual({
      count: 0,
      p50Us: null,
      p90Us: null,
      p99Us: null,
      p999Us: null,
      maxUs: null,
    });
  });

  it('stays at or above the truth past ten minutes, within 25 % inside the range', () => {
    const h = new LatencyHistogram();
    for (let i = 0; i < 900; i++) h.observe(540e6);
    for (let i = 0; i < 100; i++) h.observe(600e6);
    const s = h.summary();
    expect(s.p50Us!).toBeGreaterThanOrEqual(540e6);
    expect(s.p50Us!).toBeLessThanOrEqual(540e6 * 1.25);
    expect(s.p99Us!).toBeGreaterThanOrEqual(600e6);
    expect(s.p99Us!).toBeLessThanOrEqual(600e6 * 1.25);
    // Beyond the last bound the observed max is the only honest upper bound.
    const slow = new LatencyHistogram();
    slow.observe(100);
    slow.observe(3_600e6);
    slow.observe(7_200e6);
    expect(slow.summary().p90Us).toBe(7_200e6);
  });

  it('remembers append times by seq in a ring', () => {
    const t = new AppendTimes(4);
    t.set(3, 42);
    expect(t.get(3)).toBe(42);
    t.set(19, 7);
    expect(t.get(3)).toBeNull();
    expect(t.get(19)).toBe(7);
  });
});
