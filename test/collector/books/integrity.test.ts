import { describe, expect, it } from 'vitest';
import { IntegrityFlag, IntegrityTracker, integrityKinds } from '../../../collector/books/index.js';

describe('integrity flags', () => {
  it('gives every kind its own bit', () => {
    const bits = Object.values(IntegrityFlag);
    expect(new Set(bits).size).toBe(bits.length);
    for (const b of bits) expect(b & (b - 1)).toBe(0);
  });

  it('names the kinds in a mask in a fixed order', () => {
    expect(integrityKinds(0)).toEqual([]);
    expect(
      integrityKinds(IntegrityFlag.duplicateAdd | IntegrityFlag.crossed | IntegrityFlag.sideChange),
    ).toEqual(['crossed', 'sideChange', 'duplicateAdd']);
  });
});

describe('IntegrityTracker', () => {
  it('reads an empty side (NaN) as not crossed', () => {
    const t = new IntegrityTracker();
    expect(t.finish(0, Number.NaN, 10)).toBe(0);
    expect(t.finish(0, 10, Number.NaN)).toBe(0);
    expect(t.crossState()).toBe('normal');
  });

  it('counts each entry into crossed or locked once and every other bit per operation', () => {
    const t = new IntegrityTracker();
    expect(t.finish(0, 10, 10)).toBe(IntegrityFlag.locked);
    expect(t.finish(IntegrityFlag.unknownDelete, 10, 10)).toBe(IntegrityFlag.unknownDelete);
    expect(t.finish(0, 11, 10)).toBe(IntegrityFlag.crossed);
    expect(t.finish(0, 12, 10)).toBe(0);
    expect(t.finish(0, 9, 10)).toBe(0);
    expect(t.finish(IntegrityFlag.unknownDelete, 11, 10)).toBe(
      IntegrityFlag.unknownDelete | IntegrityFlag.crossed,
    );
    expect(t.lastFlags).toBe(IntegrityFlag.unknownDelete | IntegrityFlag.crossed);
    expect(t.counts()).toEqual({
      crossed: 2,
      locked: 1,
      nonPositiveSize: 0,
      unknownDelete: 2,
      unknownUpdate: 0,
      sideChange: 0,
      duplicateAdd: 0,
    });
  });
});
