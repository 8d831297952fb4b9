import { describe, expect, it } from 'vitest';
import type { BookFamily } from '../../../collector/books/index.js';
import { deriverHeaderEntries, parseDeriverHeaders } from '../../../collector/records/journal-headers.js';

function roundTrip(symbols: string[], families: Record<string, BookFamily>) {
  const entries = new Map(deriverHeaderEntries({ symbols, families, depth: 7 }));
  return parseDeriverHeaders((key) => entries.get(key), { file: 'journal-000001.tape' });
}

describe('journal deriver headers', () => {
  it('read back what they wrote, mixed families and symbols holding "=" included', () => {
    const families: Record<string, BookFamily> = {
      AAPL: 'mbp',
      'EUR=X': 'mbo',
      '@ESU25': 'mbo',
      'A=B=C': 'mm',
    };
    expect(roundTrip(Object.keys(families), families)).toEqual({
      symbols: ['AAPL', 'EUR=X', '@ESU25', 'A=B=C'],
      families,
      depth: 7,
    });
  });
});
