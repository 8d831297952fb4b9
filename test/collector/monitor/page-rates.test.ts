/**
 * Per-second rates as the page and `l2h status` show them: one decimal below 10 (a channel at
 * 0.4 lines/s must not read "0", as if silent), whole above. The page is a plain browser script
 * with no exports, so its self-contained formatting section is loaded on its own.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { rateText } from '../../../ops/status.js';

type Format = (v: unknown) => string;

function pageShowRate(): Format {
  const source = readFileSync(
    fileURLToPath(new URL('../../../collector/monitor/page/monitor.js', import.meta.url)),
    'utf8',
  );
  const from = source.indexOf(
    '// ---------------------------------------------------------------- formatting',
  );
  const to = source.indexOf(
    '// ---------------------------------------------------------------- DOM helpers',
  );
  expect(from, 'formatting section markers in monitor.js').toBeGreaterThan(0);
  expect(to).toBeGreaterThan(from);
  const load = new Function(`${source.slice(from, to)}\nreturn showRate;`) as () => Format;
  return load();
}

const CASES: ReadonlyArray<readonly [number, string]> = [
  [0, '0'],
  [0.4, '0.4'],
  [0.6, '0.6'],
  [2.5, '2.5'],
  [2, '2.0'],
  [9.94, '9.9'],
  [9.96, '10'],
  [12.4, '12'],
  [0.04, '0.04'],
  [0.0004, '0.0004'],
];

describe('rates shown', () => {
  const showRate = pageShowRate();

  it.each(CASES)('page: %d lines/s reads %s', (rate, text) => {
    expect(showRate(rate)).toBe(text);
  });

  it('page: a missing rate reads as missing, a large one whole', () => {
    expect(showRate(undefined)).toBe('—');
    expect(showRate(null)).toBe('—');
    expect(showRate(1234.5)).toBe('1235');
  });

  it.each(CASES)('l2h status: %d lines/s reads %s', (rate, text) => {
    expect(rateText(rate)).toBe(text);
  });

  it('l2h status: a large rate whole, with thousands separators', () => {
    expect(rateText(1234.5)).toBe('1,235');
  });
});
