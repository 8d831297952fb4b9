import { describe, expect, it } from 'vitest';
import { COLLECTOR_UPDATE_FIELDS } from '../../../collector/protocol/fields.js';
import {
  type DecodeError,
  encodeMessage,
  isDecodeError,
  L1Decoder,
  L2Decoder,
} from '../../../collector/protocol/index.js';
import { UpdateFields } from '../../../collector/protocol/l1-messages.js';
import {
  compactDateTimeToIso,
  compactDateToIso,
  formatTime,
  isIsoDate,
  isoToCompactDateTime,
  isTime,
  isUsDate,
  usDateToIso,
} from '../../../collector/protocol/values.js';

/**
 * Dates and times are range-checked, not only shaped: `25:61:99` and `2021-13-45` would flow
 * into record timestamps and day partitions (review script 03-impossible-date-time-accepted.mjs).
 * The one exception is legacy depth's `99:99:99` "no time" (IQFEED-PROTOCOL.md §6.5).
 */

function error(result: unknown): DecodeError {
  expect(isDecodeError(result), JSON.stringify(result)).toBe(true);
  return result as DecodeError;
}

const all = (f: (s: string, start: number, end: number) => boolean) => (text: string) =>
  f(text, 0, text.length);
const time = all(isTime);
const iso = all(isIsoDate);
const us = all(isUsDate);

describe('times of day', () => {
  it('accepts 00:00:00 to 23:59:59, with or without a fraction', () => {
    for (const t of ['00:00:00', '23:59:59', '23:59:59.999999', '09:30:00.5', '12:00:00.000000'])
      expect(time(t), t).toBe(true);
  });

  it('refuses an hour past 23, a minute or second past 59 (no leap seconds)', () => {
    for (const t of [
      '25:61:99',
      '24:00:00',
      '24:00:00.000000',
      '12:60:00',
      '12:00:60',
      '12:00:60.5',
      '30:00:00',
    ])
      expect(time(t), t).toBe(false);
  });

  it('still refuses bad shapes', () => {
    for (const t of ['1:00:00', '12:00', '12:00:00.', '12-00-00', '12:00:00Z', 'ab:cd:ef'])
      expect(time(t), t).toBe(false);
  });

  it("keeps legacy depth's 99:99:99 (no time), as before, and nothing like it", () => {
    expect(time('99:99:99')).toBe(true);
    expect(time('99:99:99.000000')).toBe(true);
    for (const t of ['99:00:00', '00:99:00', '00:00:99', '99:99:98', '99:99:00'])
      expect(time(t), t).toBe(false);
  });
});

describe('dates', () => {
  it('YYYY-MM-DD: month 01–12, a day that exists in that month and year', () => {
    for (const d of ['2021-01-01', '2021-12-31', '2021-04-30', '2020-02-29', '2000-02-29', '2021-02-28'])
      expect(iso(d), d).toBe(true);
    for (const d of [
      '2021-13-45',
      '2021-00-10',
      '2021-13-01',
      '2021-01-00',
      '2021-01-32',
      '2021-04-31',
      '2021-06-31',
      '2021-02-29',
      '1900-02-29',
      '2021-02-30',
    ])
      expect(iso(d), d).toBe(false);
  });

  it('MM/DD/YYYY: the same rules, and usDateToIso follows them', () => {
    expect(us('12/31/2021')).toBe(true);
    expect(us('02/29/2024')).toBe(true);
    for (const d of ['13/01/2021', '00/10/2021', '02/30/2021', '04/31/2021', '01/00/2021', '02/29/2023'])
      expect(us(d), d).toBe(false);
    expect(usDateToIso('03/31/2021', 0, 10)).toBe('2021-03-31');
    expect(usDateToIso('02/30/2021', 0, 10)).toBeNull();
  });

  it('YYYYMMDD', () => {
    expect(compactDateToIso('20210630', 0, 8)).toBe('2021-06-30');
    for (const d of ['20211345', '20210230', '20210001', '20210100', '20230229'])
      expect(compactDateToIso(d, 0, 8), d).toBeNull();
  });

  it('YYYYMMDD HH:MM:SS and YYYYMMDD HHMMSS check both halves, and never take 99:99:99', () => {
    const colon = (t: string) => compactDateTimeToIso(t, 0, t.length, true);
    const plain = (t: string) => compactDateTimeToIso(t, 0, t.length, false);
    expect(colon('20210630 15:28:23')).toBe('2021-06-30T15:28:23');
    expect(plain('20210630 152823')).toBe('2021-06-30T15:28:23');
    expect(colon('20211345 25:61:99')).toBeNull();
    expect(colon('20210630 24:00:00')).toBeNull();
    expect(colon('20210631 12:00:00')).toBeNull();
    expect(colon('20210630 99:99:99')).toBeNull();
    expect(plain('20210630 152860')).toBeNull();
    expect(plain('20210630 246000')).toBeNull();
    expect(plain('20210230 120000')).toBeNull();
  });
});

describe('decoders refuse impossible dates and times, naming the field', () => {
  const l2 = (line: string) => new L2Decoder().decode(line);

  it('the reviewer’s L2 line: the time is the first problem', () => {
    expect(error(l2('8,@ESZ21,B,4580.25,10,3,2,25:61:99.000000,2021-13-45,'))).toMatchObject({
      field: 'Time',
      index: 7,
      got: '25:61:99.000000',
    });
    expect(error(l2('8,@ESZ21,B,4580.25,10,3,2,20:32:47.333543,2021-13-45,'))).toMatchObject({
      field: 'Date',
      index: 8,
      got: '2021-13-45',
    });
    expect(error(l2('3,@ESZ21,1,,B,4580.25,3,9,2,18:00:00.250000,2021-02-29,'))).toMatchObject({
      field: 'Order Date',
    });
    expect(error(l2('5,@ESZ21,648907593934,,A,24:00:00.000000,2021-10-24,'))).toMatchObject({
      field: 'Order Time',
    });
  });

  it('the reviewer’s T line, on both channels', () => {
    expect(error(new L1Decoder().decode('T,20211345 25:61:99'))).toMatchObject({
      field: 'Timestamp',
      index: 1,
    });
    expect(error(l2('T,20210630 24:00:00'))).toMatchObject({ field: 'Timestamp' });
    expect(error(l2('T,20210630 99:99:99'))).toMatchObject({ field: 'Timestamp' });
    expect(l2('T,20210630 23:59:59')).toStrictEqual({ Type: 'T', Timestamp: '2021-06-30T23:59:59' });
  });

  it('L1 Q dates and times, whether read or only checked', () => {
    const decoder = new L1Decoder({ fields: COLLECTOR_UPDATE_FIELDS });
    const base = ['134.62', '50', '19:59:58.900064', '24', '62111303', '134.62', '100', '134.65', '700'];
    const line = (bidTime: string, date: string) =>
      `Q,AAPL,${base.join(',')},,,,,C,01,123,${bidTime},19:59:58.000001,${date},`;
    expect(decoder.decode(line('19:59:58.000001', '06/30/2021'))).toMatchObject({
      'Bid Time': '19:59:58.000001',
      'Most Recent Trade Date': '2021-06-30',
    });
    expect(error(decoder.decode(line('19:59:58.000001', '02/30/2021')))).toMatchObject({
      field: 'Most Recent Trade Date',
      got: '02/30/2021',
    });
    expect(error(decoder.decode(line('24:00:00.000000', '06/30/2021')))).toMatchObject({ field: 'Bid Time' });
    // The deriver's hot path reads some fields and only checks the others.
    const read = new UpdateFields(['Most Recent Trade Date', 'Bid Time']);
    const checked = new UpdateFields(['Bid']);
    for (const bad of [line('19:59:58.000001', '02/30/2021'), line('19:60:58.000001', '06/30/2021')]) {
      expect(read.read(bad, 'Q', COLLECTOR_UPDATE_FIELDS)).toBe(false);
      expect(checked.read(bad, 'Q', COLLECTOR_UPDATE_FIELDS)).toBe(false);
    }
    expect(checked.read(line('19:59:58.000001', '06/30/2021'), 'Q', COLLECTOR_UPDATE_FIELDS)).toBe(true);
  });

  it('C, R, N and S,CUST', () => {
    const l1 = (line: string) => new L1Decoder().decode(line);
    expect(error(l1('C,IBM,X,C,13/01/2021,10:00:00.000000,134.5,100,1,3D,11,'))).toMatchObject({
      field: 'Trade Date',
    });
    expect(error(l1('R,IBM,,134.5,100,14:60:54,134.6,200,14:44:54,14,4,11,'))).toMatchObject({
      field: 'Regional Bid Time',
    });
    expect(error(l1('N,DJ,1,:IBM:,20240621 101560,headline'))).toMatchObject({ field: 'Timestamp' });
    expect(
      error(l1('S,CUST,delayed,10.0.0.9,60003,tok3n,6.2.0.25,0, NYSE ,XYZ123,1300,QT_API,20251301,')),
    ).toMatchObject({ field: 'Expiration Date' });
  });
});

describe('legacy depth keeps 99:99:99 exactly as before', () => {
  it('U and Z rows decode with the text kept', () => {
    expect(
      new L2Decoder().decode('U,BLIN,BOSX,0.,0.,0,0,99:99:99,2021-07-02,20,52,12,99:99:99,F,F,'),
    ).toStrictEqual({
      Type: 'U',
      Symbol: 'BLIN',
      MMID: 'BOSX',
      Bid: 0,
      Ask: 0,
      'Bid Size': 0,
      'Ask Size': 0,
      'Bid Time': '99:99:99',
      Date: '2021-07-02',
      'Unknown 9': '20',
      'Condition Code?': '52',
      'Unknown 11': '12',
      'Ask Time': '99:99:99',
      'Bid Valid?': 'F',
      'Ask Valid?': 'F',
    });
    expect(
      new L2Decoder().decode('Z,IBM,GSCO,259.47,0.,300,0,09:18:32.770930,2025-07-25,52,99:99:99,T,F,T,'),
    ).toMatchObject({ 'Bid Time': '09:18:32.770930', 'Ask Time': '99:99:99' });
  });

  it('the encoders write it back', () => {
    expect(formatTime('Bid Time', '99:99:99')).toBe('99:99:99');
    const u = 'U,BLIN,BOSX,0.,0.,0,0,99:99:99,2021-07-02,20,52,12,99:99:99,F,F,';
    const m = new L2Decoder().decode(u);
    if (isDecodeError(m)) throw new Error(m.error);
    expect(new L2Decoder().decode(encodeMessage(m))).toStrictEqual(m);
  });
});

describe('encoders refuse what the decoders refuse', () => {
  it('times and T timestamps', () => {
    expect(() => formatTime('Time', '24:00:00')).toThrow();
    expect(() => isoToCompactDateTime('Timestamp', '2021-06-30T24:00:00', true)).toThrow();
    expect(() => isoToCompactDateTime('Timestamp', '2021-06-30T99:99:99', true)).toThrow();
    expect(() => isoToCompactDateTime('Timestamp', '2021-02-30T12:00:00', false)).toThrow();
    expect(isoToCompactDateTime('Timestamp', '2021-06-30T15:28:23', false)).toBe('20210630 152823');
  });
});

describe('the date caches only ever hold a checked date', () => {
  it('L2: an impossible date is refused every time, before and after a good one', () => {
    const decoder = new L2Decoder();
    const bad = '8,@ESZ21,B,4580.25,10,3,2,20:32:47.333543,2021-02-30,';
    const good = '8,@ESZ21,B,4580.25,10,3,2,20:32:47.333543,2021-02-28,';
    expect(error(decoder.decode(bad))).toMatchObject({ field: 'Date' });
    expect(error(decoder.decode(bad))).toMatchObject({ field: 'Date' });
    expect(decoder.decode(good)).toMatchObject({ Date: '2021-02-28' });
    expect(error(decoder.decode(bad))).toMatchObject({ field: 'Date' });
    expect(decoder.decode(good)).toMatchObject({ Date: '2021-02-28' });
  });

  it('L1: the same for MM/DD/YYYY', () => {
    const decoder = new L1Decoder();
    const bad = 'C,IBM,X,C,02/30/2021,10:00:00.000000,134.5,100,1,3D,11,';
    const good = 'C,IBM,X,C,02/28/2021,10:00:00.000000,134.5,100,1,3D,11,';
    expect(error(decoder.decode(bad))).toMatchObject({ field: 'Trade Date' });
    expect(error(decoder.decode(bad))).toMatchObject({ field: 'Trade Date' });
    expect(decoder.decode(good)).toMatchObject({ 'Trade Date': '2021-02-28' });
    expect(error(decoder.decode(bad))).toMatchObject({ field: 'Trade Date' });
    expect(decoder.decode(good)).toMatchObject({ 'Trade Date': '2021-02-28' });
  });
});
