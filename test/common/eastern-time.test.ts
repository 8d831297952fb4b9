import { describe, expect, test } from 'vitest';
import { easternDate, nextEasternMidnightUs } from '../../common/eastern-time.js';

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
