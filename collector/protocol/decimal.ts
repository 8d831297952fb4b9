/**
 * Exact decimal arithmetic for prices. IQFeed prices are decimals on the wire (`134.6200`,
 * `2938.`); a JS number holds the nearest double, which prints back as the same short decimal.
 * Subtracting two doubles adds binary noise (585.94 − 585.33 = 0.6100000000000136), so these
 * helpers work on scaled integers instead and round once, at the end.
 *
 * Domain: finite numbers with at most 15 decimals whose scaled value stays below 2^53, which
 * covers every price IQFeed sends (at most 8 decimals).
 */

/** Decimals written in a price text: `134.6200` → 4, `2938.` → 0, `12` → 0. */
export function countDecimals(text: string): number {
  const dot = text.indexOf('.');
  return dot < 0 ? 0 : text.length - dot - 1;
}

/**
 * A number as plain decimal text, never in exponent form: `1e-7` → `0.0000001`, `1e21` →
 * `1000000000000000000000`. Uses the shortest text that reads back as the same number.
 */
export function toPlainString(n: number): string {
  const s = String(n);
  const e = s.indexOf('e');
  if (e < 0) return s;
  const negative = s.charCodeAt(0) === 45;
  const mantissa = s.slice(negative ? 1 : 0, e);
  const exponent = Number(s.slice(e + 1));
  const dot = mantissa.indexOf('.');
  const digits = dot < 0 ? mantissa : mantissa.slice(0, dot) + mantissa.slice(dot + 1);
  const point = (dot < 0 ? mantissa.length : dot) + exponent;
  let plain: string;
  if (point <= 0) plain = `0.${'0'.repeat(-point)}${digits}`;
  else if (point >= digits.length) plain = digits + '0'.repeat(point - digits.length);
  else plain = `${digits.slice(0, point)}.${digits.slice(point)}`;
  return negative ? `-${plain}` : plain;
}

/** Decimals of a number's shortest decimal form: 585.635 → 3, 2938 → 0. */
export function decimalsOf(n: number): number {
  return countDecimals(toPlainString(n));
}

const MAX_SCALED = 2 ** 53;

function scaleFor(a: number, b: number, decimals: number | undefined): number {
  return 10 ** (decimals ?? Math.max(decimalsOf(a), decimalsOf(b)));
}

/** a − b without float noise: difference(585.94, 585.33) === 0.61. */
export function difference(a: number, b: number, decimals?: number): number {
  const f = scaleFor(a, b, decimals);
  const sa = Math.round(a * f);
  const sb = Math.round(b * f);
  if (Math.abs(sa) >= MAX_SCALED || Math.abs(sb) >= MAX_SCALED) return a - b;
  return (sa - sb) / f;
}

/** Ask minus bid, exact: spread(585.94, 585.33) === 0.61. */
export function spread(ask: number, bid: number, decimals?: number): number {
  return difference(ask, bid, decimals);
}

/** (a + b) / 2, exact: mid(585.33, 585.94) === 585.635. */
export function mid(a: number, b: number, decimals?: number): number {
  const f = scaleFor(a, b, decimals);
  const sa = Math.round(a * f);
  const sb = Math.round(b * f);
  if (Math.abs(sa) >= MAX_SCALED || Math.abs(sb) >= MAX_SCALED) return (a + b) / 2;
  // One division of two exact integers: correctly rounded to the nearest double.
  return (sa + sb) / (2 * f);
}

/** Adds one to a string of decimal digits: `0999` → `1000`, `99` → `100`. */
function incrementDigits(digits: string): string {
  const out = digits.split('');
  let i = out.length - 1;
  while (i >= 0) {
    if (out[i] === '9') {
      out[i] = '0';
      i--;
    } else {
      out[i] = String.fromCharCode(out[i].charCodeAt(0) + 1);
      return out.join('');
    }
  }
  return `1${out.join('')}`;
}

/**
 * A number with exactly `precision` decimals, rounded half away from zero on its decimal form
 * (so 1.005 → `1.01`, where `toFixed` gives `1.00`): formatDecimal(585.3, 4) === '585.3000'.
 */
export function formatDecimal(n: number, precision: number): string {
  if (!Number.isFinite(n)) throw new RangeError(`formatDecimal: ${n} is not a finite number`);
  if (!Number.isInteger(precision) || precision < 0 || precision > 100) {
    throw new RangeError(`formatDecimal: precision ${precision} is not an integer in 0..100`);
  }
  const plain = toPlainString(Math.abs(n));
  const dot = plain.indexOf('.');
  let whole = dot < 0 ? plain : plain.slice(0, dot);
  let fraction = dot < 0 ? '' : plain.slice(dot + 1);
  if (fraction.length <= precision) {
    fraction = fraction.padEnd(precision, '0');
  } else {
    const roundUp = fraction.charCodeAt(precision) >= 53; // '5'
    const kept = whole + fraction.slice(0, precision);
    const rounded = roundUp ? incrementDigits(kept) : kept;
    whole = rounded.slice(0, rounded.length - precision);
    fraction = rounded.slice(rounded.length - precision);
  }
  const body = precision === 0 ? whole : `${whole}.${fraction}`;
  const isZero = /^[0.]*$/.test(body);
  return n < 0 && !isZero ? `-${body}` : body;
}

/** A number rounded to `precision` decimals on its decimal form: roundDecimal(1.005, 2) === 1.01. */
export function roundDecimal(n: number, precision: number): number {
  return Number(formatDecimal(n, precision));
}
