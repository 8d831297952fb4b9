import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  countDecimals,
  decimalsOf,
  difference,
  formatDecimal,
  mid,
  roundDecimal,
  spread,
  toPlainString,
} from '../../../collector/protocol/decimal.js';

describe('decimal helpers', () => {
  it('counts the decimals written in a price', () => {
    expect(countDecimals('134.6200')).toBe(4);
    expect(countDecimals('2938.')).toBe(0);
    expect(countDecimals('12')).toBe(0);
    expect(countDecimals('0.5')).toBe(1);
  });

  it('spread and mid have no float noise', () => {
    expect(585.94 - 585.33).not.toBe(0.61); // the problem being solved
    expect(spread(585.94, 585.33)).toBe(0.61);
    expect(mid(585.33, 585.94)).toBe(585.635);
    expect(spread(0.3, 0.1)).toBe(0.2);
    expect(difference(100, 99.99)).toBe(0.01);
    expect(spread(2938.25, 2938, 2)).toBe(0.25);
    expect(mid(1.1, 1.2)).toBe(1.15);
  });

  it('formats at a precision, rounding half away from zero on the decimal form', () => {
    expect(formatDecimal(585.3, 4)).toBe('585.3000');
    expect(formatDecimal(1.005, 2)).toBe('1.01');
    expect((1.005).toFixed(2)).toBe('1.00'); // why toFixed is not used
    expect(formatDecimal(-2.5, 0)).toBe('-3');
    expect(formatDecimal(9.999, 2)).toBe('10.00');
    expect(formatDecimal(-0.0001, 2)).toBe('0.00');
    expect(formatDecimal(1e-7, 8)).toBe('0.00000010');
    expect(roundDecimal(215.10999999, 2)).toBe(215.11);
    expect(() => formatDecimal(Number.NaN, 2)).toThrow(/finite/);
  });

  it('writes numbers without exponents', () => {
    expect(toPlainString(1e-7)).toBe('0.0000001');
    expect(toPlainString(1.5e21)).toBe('1500000000000000000000');
    expect(toPlainString(-2.5e-8)).toBe('-0.000000025');
    expect(decimalsOf(585.635)).toBe(3);
  });

  it('spread of prices with up to 8 decimals equals the exact decimal difference', () => {
    const scaled = fc.integer({ min: 0, max: 10_000_000_000 });
    fc.assert(
      fc.property(scaled, scaled, fc.integer({ min: 0, max: 8 }), (a, b, d) => {
        const f = 10 ** d;
        expect(spread(a / f, b / f)).toBe((a - b) / f);
        expect(mid(a / f, b / f)).toBe((a + b) / (2 * f));
      }),
    );
  });

  it('formatDecimal reads back as the number rounded to the precision', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1e9, max: 1e9 }), fc.integer({ min: 0, max: 6 }), (m, d) => {
        const n = m / 10 ** d;
        expect(Number(formatDecimal(n, d))).toBe(n);
        expect(countDecimals(formatDecimal(n, d + 2))).toBe(d + 2);
      }),
    );
  });
});
