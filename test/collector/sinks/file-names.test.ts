import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  fileSymbol,
  jsonlFileName,
  parseJsonlFileName,
  symbolFromFileName,
} from '../../../collector/sinks/jsonl/file-names.js';

describe('JSONL file names', () => {
  it('names files <SYMBOL>_<kind>_<YYYYMMDD>.jsonl and escapes unsafe symbol characters', () => {
    expect(jsonlFileName('AAPL', 'l2', '20250725')).toBe('AAPL_l2_20250725.jsonl');
    expect(jsonlFileName('@ES#', 'ticks', '20250725')).toBe('%40ES%23_ticks_20250725.jsonl');
    expect(fileSymbol('BRK/A')).toBe('BRK%2FA');
    expect(fileSymbol('..')).toBe('%2E.');
    expect(fileSymbol('A B%')).toBe('A%20B%25');
    expect(fileSymbol('BRK.B')).toBe('BRK.B');
    expect(parseJsonlFileName('%40ES%23_l2_20250725.jsonl')).toEqual({
      symbol: '@ES#',
      kind: 'l2',
      day: '20250725',
    });
    expect(parseJsonlFileName('A_B_l1_20250725.jsonl')).toEqual({
      symbol: 'A_B',
      kind: 'l1',
      day: '20250725',
    });
    expect(parseJsonlFileName('checkpoint.json')).toBeNull();
  });

  it('is reversible and never yields a path separator or a hidden name', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 12, unit: 'binary' }), (symbol) => {
        const name = fileSymbol(symbol);
        expect(name).toMatch(/^[A-Za-z0-9_%-][A-Za-z0-9._%-]*$/);
        expect(symbolFromFileName(name)).toBe(symbol);
        expect(parseJsonlFileName(jsonlFileName(symbol, 'gaps', '20250102'))).toEqual({
          symbol,
          kind: 'gaps',
          day: '20250102',
        });
      }),
    );
  });
});
