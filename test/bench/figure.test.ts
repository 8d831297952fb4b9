import { describe, expect, it } from 'vitest';
import { figure } from '../../bench/figure.js';
import { SUITES } from '../../bench/suites/index.js';

describe('bench figures', () => {
  it('computes the ratio to the baseline and whether the target is met', () => {
    const f = figure({
      name: 'decode L2 lines',
      value: 3_000_000,
      unit: 'lines/s',
      baseline: { name: 'split', value: 2_000_000 },
      target: { op: '>=', value: 1_500_000 },
    });
    expect(f.ratio).toBe(1.5);
    expect(f.pass).toBe(true);
    expect(figure({ name: 'p99', value: 12, unit: 'ms', target: { op: '<=', value: 10 } }).pass).toBe(false);
    expect(figure({ name: 'plain', value: 1, unit: 'x' })).toEqual({ name: 'plain', value: 1, unit: 'x' });
  });

  it('registers suites under unique names', () => {
    const names = SUITES.map((s) => s.name);
    expect(names).toContain('decode');
    expect(new Set(names).size).toBe(names.length);
  });
});
