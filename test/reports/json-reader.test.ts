import { describe, expect, it } from 'vitest';
import { readNumber, readRecord, readString, rootLocation } from '../../reports/json-reader.js';
import { parseRunResults } from '../../reports/validate-results.js';
import { passingRun } from './run-fixtures.js';

describe('readRecord', () => {
  it('keeps a key named __proto__ as an ordinary key (tape header keys are kept, CONTRACTS §1)', () => {
    const input = JSON.parse('{"__proto__": 5, "L2/8": 10}') as unknown;
    const out = readRecord(input, rootLocation('results.json', []), readNumber);
    expect(Object.keys(out)).toEqual(['__proto__', 'L2/8']);
    expect(Object.hasOwn(out, '__proto__')).toBe(true);
    expect(Object.getOwnPropertyDescriptor(out, '__proto__')?.value).toBe(5);
    expect(JSON.stringify(out)).toBe('{"__proto__":5,"L2/8":10}');
  });

  it('keeps __proto__ and constructor keys through parseRunResults, and lists nothing as ignored', () => {
    const text = JSON.stringify(passingRun())
      .replace('"messageMix":{', '"messageMix":{"__proto__":5,')
      .replace('"headers":{', '"headers":{"__proto__":"x","constructor":"y",');
    const { results, ignoredFields } = parseRunResults(text);
    expect(Object.getOwnPropertyDescriptor(results.messageMix, '__proto__')?.value).toBe(5);
    expect(Object.keys(results.run.tape!.headers).slice(0, 2)).toEqual(['__proto__', 'constructor']);
    expect(results.run.tape!.headers['constructor']).toBe('y');
    expect(ignoredFields).toEqual([]);
    // Still an ordinary object to whoever reads it.
    expect(readRecord({ a: 'b' }, rootLocation('f', []), readString)).toEqual({ a: 'b' });
  });
});
