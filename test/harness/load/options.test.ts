import { afterEach, describe, expect, it, vi } from 'vitest';
import { checkSettings, parseRates, planRates } from '../../../harness/load/options.js';
import { lossCounts } from '../../../harness/load/step.js';
import type { Check } from '../../../harness/results/types.js';

describe('load rates', () => {
  it('parses a rising list with k/m suffixes', () => {
    expect(parseRates('1000, 5k,20000,1m')).toEqual([1000, 5000, 20000, 1_000_000]);
  });

  it('rejects a falling list, a bad number and an empty list, naming the flag', () => {
    expect(() => parseRates('5000,1000')).toThrow(/--rates must rise: 1000 follows 5000/);
    expect(() => parseRates('1000,fast')).toThrow(/--rates: "fast"/);
    expect(() => parseRates(',')).toThrow(/names no rate/);
  });

  it('ramps by a factor up to the maximum', () => {
    expect(planRates({ kind: 'ramp', start: 1000, factor: 2, max: 16_000 })).toEqual([
      1000, 2000, 4000, 8000, 16_000,
    ]);
    expect(planRates({ kind: 'list', rates: [3, 4] })).toEqual([3, 4]);
  });

  describe('a ramp whose factor rounds back to the same rate', () => {
    afterEach(() => {
      vi.restoreAllMocks();
    });
    it('still advances, one msgs/s at least, and ends', () => {
      // A ramp that never advances loops until the heap runs out: stop it after plenty of steps.
      const round = Math.round;
      let calls = 0;
      vi.spyOn(Math, 'round').mockImplementation((x: number) => {
        if (++calls > 100_000) throw new Error('planRates did not terminate');
        return round(x);
      });
      expect(planRates({ kind: 'ramp', start: 2, factor: 1.2, max: 10 })).toEqual([2, 3, 4, 5, 6, 7, 8, 10]);
    });
  });

  it('ends on --max-rate when the ramp would overshoot it', () => {
    expect(planRates({ kind: 'ramp', start: 1000, factor: 2, max: 200_000 })).toEqual([
      1000, 2000, 4000, 8000, 16_000, 32_000, 64_000, 128_000, 200_000,
    ]);
    expect(planRates({ kind: 'ramp', start: 1000, factor: 2, max: 1000 })).toEqual([1000]);
  });

  it('refuses settings that cannot make a ramp', () => {
    const base = { stepSeconds: 1, sinks: ['jsonl'] as const, maxP99Ms: 50, maxSinkP99Ms: 1000 };
    expect(() =>
      checkSettings({ ...base, plan: { kind: 'ramp', start: 1000, factor: 1, max: 2000 } }),
    ).toThrow(/--ramp-factor must be above 1/);
    expect(() => checkSettings({ ...base, stepSeconds: 0, plan: { kind: 'list', rates: [1] } })).toThrow(
      /--step/,
    );
  });
});

describe('loss counts from a step’s checks', () => {
  const check = (id: string, counts: Record<string, number>, group: Check['group'] = 'zero-loss'): Check => ({
    id,
    group,
    title: id,
    threshold: '',
    measured: '',
    pass: true,
    evidence: { counts },
  });
  it('adds lines missing from the journal and records lost or duplicated in sinks', () => {
    expect(
      lossCounts([
        check('zero-loss.simulator-vs-journal', { sentL1: 10, journaledL1: 10, sentL2: 20, journaledL2: 17 }),
        check('zero-loss.journal-vs-jsonl', { lost: 2, duplicated: 1 }),
        check('books.reference', { lost: 99 }, 'books'),
      ]),
    ).toEqual({ lost: 5, duplicated: 1 });
  });
});
