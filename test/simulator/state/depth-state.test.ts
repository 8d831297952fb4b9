import { describe, expect, it } from 'vitest';
import { DepthState, depthFamilyOf, fieldAt } from '../../../simulator/state/depth-state.js';

const D = '09:30:00.000000,2024-06-21,';

function apply(state: DepthState, lines: readonly string[]): void {
  for (const l of lines) {
    if (l.startsWith('S,CLEAR DEPTH,')) state.clear(l.split(',')[3]);
    else state.apply(l.charCodeAt(0), l, l.indexOf(',', 2));
  }
}

describe('DepthState', () => {
  it('keeps by-price rows keyed by side and numeric price, with their raw text', () => {
    const s = new DepthState();
    apply(s, [
      `7,X,B,10.5000,1,1,4,${D}`,
      `8,X,B,10.50,2,1,4,${D}`, // same level, other text: replaces, keeps the newer text
      `8,X,A,10.6,3,1,4,${D}`,
      `8,X,B,10.4,4,1,4,${D}`,
      `9,X,B,10.4,${D}`,
      `9,X,A,${D}`, // no price: cannot tell which level, changes nothing
    ]);
    expect(s.summary('mbp')).toEqual([`7,X,B,10.50,2,1,4,${D}`, `7,X,A,10.6,3,1,4,${D}`]);
    expect(s.size('mbp')).toBe(2);
  });

  it('keys by-order rows by order id, or by market maker and side when the id is empty', () => {
    const s = new DepthState();
    apply(s, [
      `3,X,1001,,B,10.00,5,200,2,${D}`,
      `3,X,1002,,B,10.00,5,100,2,${D}`,
      `6,X,,NSDQ,B,9.99,100,,2,${D}`,
      `6,X,,NSDQ,A,10.05,100,,2,${D}`,
      `4,X,,NSDQ,A,10.04,50,,2,${D}`,
      `3,X,1003,,A,10.02,7,300,2,${D}`,
      `5,X,,NSDQ,B,,2024-06-21,`,
    ]);
    expect(s.summary('mbo')).toEqual([
      `6,X,1002,,B,10.00,5,100,2,${D}`, // same price: lower priority first
      `6,X,1001,,B,10.00,5,200,2,${D}`,
      `6,X,1003,,A,10.02,7,300,2,${D}`,
      `6,X,,NSDQ,A,10.04,50,,2,${D}`,
    ]);
    apply(s, ['S,CLEAR DEPTH,X,A,']);
    expect(s.summary('mbo')).toHaveLength(2);
  });

  it('keeps one legacy row per market maker; 2 updates go out as Z, best bid first', () => {
    const s = new DepthState();
    apply(s, [
      'Z,X,NSDQ,10.1,10.3,1,1,09:30:00,2024-06-21,52,09:30:00,T,T,F,',
      '2,X,ARCA,10.2,10.4,1,1,09:30:01,2024-06-21,52,09:30:01,T,T,F,',
      'U,X,BOSX,0.,0.,0,0,99:99:99,2024-06-21,20,52,12,99:99:99,F,F,',
      '2,X,NSDQ,10.15,10.3,1,1,09:30:02,2024-06-21,52,09:30:02,T,T,F,',
    ]);
    expect(s.summary('mm')).toEqual([
      'Z,X,ARCA,10.2,10.4,1,1,09:30:01,2024-06-21,52,09:30:01,T,T,F,',
      'Z,X,NSDQ,10.15,10.3,1,1,09:30:02,2024-06-21,52,09:30:02,T,T,F,',
      'U,X,BOSX,0.,0.,0,0,99:99:99,2024-06-21,20,52,12,99:99:99,F,F,', // no quote: last
    ]);
  });

  it('classifies type chars and reads fields', () => {
    expect(
      ['7', '8', '9', '0', '3', '4', '5', '6', 'Z', '2', 'U', 'T', 'S'].map((c) =>
        depthFamilyOf(c.charCodeAt(0)),
      ),
    ).toEqual(['mbp', 'mbp', 'mbp', 'mbo', 'mbo', 'mbo', 'mbo', 'mbo', 'mm', 'mm', 'mm', null, null]);
    expect([fieldAt('a,b,,d', 0), fieldAt('a,b,,d', 2), fieldAt('a,b,,d', 3), fieldAt('a,b', 5)]).toEqual([
      'a',
      '',
      'd',
      '',
    ]);
  });
});
