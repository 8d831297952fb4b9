import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { easternDate, easternParts, nextEasternMidnightUs } from '../../common/eastern-time.js';

const us = (iso: string) => Date.parse(iso) * 1000;

describe('US Eastern days', () => {
  test('the date follows Eastern time, not UTC', () => {
    // 03:59 UTC on the 22nd is 23:59 EDT on the 21st.
    expect(easternDate(us('2012-06-22T03:59:59.999Z'))).toBe('2012-06-21');
    expect(easternDate(us('2012-06-22T04:00:00.000Z'))).toBe('2012-06-22');
    // In winter the offset is 5 hours.
    expect(easternDate(us('2024-01-15T04:30:00Z'))).toBe('2024-01-14');
    expect(easternDate(us('2024-01-15T05:00:00Z'))).toBe('2024-01-15');
  });

  test('next midnight in summer (EDT, UTC−4) and winter (EST, UTC−5)', () => {
    expect(nextEasternMidnightUs(us('2012-06-21T13:30:00Z'))).toBe(us('2012-06-22T04:00:00Z'));
    expect(nextEasternMidnightUs(us('2024-01-15T20:00:00Z'))).toBe(us('2024-01-16T05:00:00Z'));
  });

  test('across the DST changes the day is 23 or 25 hours long', () => {
    // 2024-03-10: clocks spring forward at 02:00 EST; that day ends at 04:00Z on the 11th.
    expect(nextEasternMidnightUs(us('2024-03-10T05:00:00Z'))).toBe(us('2024-03-11T04:00:00Z'));
    // 2024-11-03: clocks fall back at 02:00 EDT; that day ends at 05:00Z on the 4th.
    expect(nextEasternMidnightUs(us('2024-11-03T04:00:00Z'))).toBe(us('2024-11-04T05:00:00Z'));
  });

  test('exactly at midnight, the next midnight is a day later', () => {
    const midnight = us('2012-06-22T04:00:00Z');
    expect(nextEasternMidnightUs(midnight)).toBe(us('2012-06-23T04:00:00Z'));
    expect(nextEasternMidnightUs(midnight - 1)).toBe(midnight);
  });
});

describe('easternParts', () => {
  const zone = new Intl.DateTimeFormat('en-CA', {
    timeZone: 'America/New_York',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  });
  const direct = (epochUs: number) => {
    const p: Record<string, string> = {};
    for (const x of zone.formatToParts(new Date(Math.floor(epochUs / 1e6) * 1000))) p[x.type] = x.value;
    return { date: `${p.year}-${p.month}-${p.day}`, time: `${p.hour}:${p.minute}:${p.second}` };
  };

  test('equals the zone formatter for every second around both DST changes', () => {
    for (const change of ['2024-03-10T07:00:00Z', '2024-11-03T06:00:00Z', '2012-03-11T07:00:00Z']) {
      for (let s = -7200; s <= 7200; s++) {
        const t = us(change) + s * 1_000_000;
        expect(easternParts(t), new Date(t / 1000).toISOString()).toEqual(direct(t));
      }
    }
  });

  test('equals the zone formatter at any time, in any order of calls (property)', () => {
    const epochUs = fc.integer({ min: us('1990-01-01T00:00:00Z'), max: us('2060-01-01T00:00:00Z') });
    fc.assert(
      fc.property(fc.array(epochUs, { minLength: 1, maxLength: 50 }), (times) => {
        for (const t of times) expect(easternParts(t)).toEqual(direct(t));
      }),
      { numRuns: 300 },
    );
  });
});
