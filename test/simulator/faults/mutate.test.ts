/**
 * The fault mutations on their own: corrupt changes one real field, truncate keeps what it says.
 */
import { describe, expect, it } from 'vitest';
import { corruptLine, truncateLine } from '../../../simulator/faults/mutate.js';
import { createPrng } from '../../../simulator/prng.js';

// An L2 row: IQFeed ends data lines with a comma, so split(',') has an empty slot at the end
// that is not a field.
const LINE = '8,AAPL,B,213.8800,300,1,4,09:16:31.440254,2025-07-25,';
const FIELDS = LINE.split(',').slice(0, -1);

describe('corrupt', () => {
  it('replaces exactly one real field for every seed, and keeps the field count', () => {
    const noRealChange: number[] = [];
    for (let seed = 1; seed <= 500; seed++) {
      const c = corruptLine(LINE, createPrng(seed));
      const got = c.line.split(',');
      expect(got.length, `seed ${seed}`).toBe(FIELDS.length + 1);
      expect(got.at(-1), `seed ${seed}`).toBe('');
      const changed = FIELDS.flatMap((v, i) => (got[i] === v ? [] : [i]));
      if (changed.length !== 1) noRealChange.push(seed);
      else expect(changed[0]).toBe(c.field);
      expect(c.field).toBeGreaterThanOrEqual(1);
    }
    expect(noRealChange).toEqual([]);
  });

  it('an explicit field past the last one corrupts the last real field', () => {
    const c = corruptLine(LINE, createPrng(3), 40);
    expect(c.field).toBe(FIELDS.length - 1);
    expect(c.line.split(',').length).toBe(FIELDS.length + 1);
  });

  it('a line without a trailing comma: any of its fields after the type', () => {
    for (let seed = 1; seed <= 50; seed++) {
      const c = corruptLine('S,SERVER CONNECTED', createPrng(seed));
      expect(c.field).toBe(1);
      expect(c.line.startsWith('S,')).toBe(true);
      expect(c.line).not.toBe('S,SERVER CONNECTED');
    }
  });
});

describe('truncate', () => {
  it('keeps exactly `keep` bytes, at most length − 1', () => {
    expect(truncateLine(LINE, createPrng(1), 1)).toBe('8');
    expect(truncateLine(LINE, createPrng(1), 9)).toBe(LINE.slice(0, 9));
    expect(truncateLine(LINE, createPrng(1), 10_000)).toBe(LINE.slice(0, -1));
  });
});
