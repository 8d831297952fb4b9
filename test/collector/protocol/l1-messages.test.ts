import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UPDATE_FIELDS } from '../../../collector/protocol/fields.js';
import {
  type DecodeError,
  FUNDAMENTAL_FIELDS,
  FUNDAMENTAL_FIELDS_60,
  isDecodeError,
  L1Decoder,
  type L1Message,
} from '../../../collector/protocol/index.js';
import {
  encodeUpdate,
  UpdateFields,
  UpdateLayout,
  type UpdateMessage,
} from '../../../collector/protocol/l1-messages.js';
import { update } from './arbitraries.js';

const decode = (line: string, decoder = new L1Decoder()): L1Message | DecodeError => decoder.decode(line);

function error(result: unknown): DecodeError {
  expect(isDecodeError(result), JSON.stringify(result)).toBe(true);
  return result as DecodeError;
}

describe('Q and P over the field list in force', () => {
  const line =
    'Q,MSFT,412.5100,25,14:02:11.020304,11,8123456,412.5000,300,412.5200,200,410.0000,413.1000,409.8800,411.7500,Cba,3D,';

  it('decodes the 16-field default list', () => {
    expect(decode(line)).toStrictEqual({
      Type: 'Q',
      Symbol: 'MSFT',
      'Most Recent Trade': 412.51,
      'Most Recent Trade Size': 25,
      'Most Recent Trade Time': '14:02:11.020304',
      'Most Recent Trade Market Center': 11,
      'Total Volume': 8123456,
      Bid: 412.5,
      'Bid Size': 300,
      Ask: 412.52,
      'Ask Size': 200,
      Open: 410,
      High: 413.1,
      Low: 409.88,
      Close: 411.75,
      'Message Contents': 'Cba',
      'Most Recent Trade Conditions': '3D',
    });
  });

  it('empty fields are null, not 0, and the trailing comma is optional', () => {
    const m = decode('P,IBM,,,,,0,180.1,,180.2,,,,,,,');
    expect(m).toMatchObject({
      Type: 'P',
      'Most Recent Trade': null,
      'Total Volume': 0,
      Bid: 180.1,
      'Bid Size': null,
    });
    expect(decode('P,IBM,,,,,0,180.1,,180.2,,,,,,,x')).toMatchObject({ 'Most Recent Trade Conditions': 'x' });
  });

  it('S,SELECT UPDATE FIELDS changes how the next lines decode (via CURRENT UPDATE FIELDNAMES)', () => {
    const decoder = new L1Decoder();
    expect(decoder.decode('Q,IBM,180.25,100,10:00:00.1,5,900,180.2,1,180.3,2,,,,,C,01,')).toMatchObject({
      'Most Recent Trade': 180.25,
      'Most Recent Trade Size': 100,
    });
    expect(decoder.decode('S,CURRENT UPDATE FIELDNAMES,Symbol,Ask,Bid Size,Last Date')).toStrictEqual({
      Type: 'S',
      'System Type': 'CURRENT UPDATE FIELDNAMES',
      Fields: ['Symbol', 'Ask', 'Bid Size', 'Last Date'],
    });
    expect(decoder.fields).toEqual(['Symbol', 'Ask', 'Bid Size', 'Last Date']);
    expect(decoder.decode('Q,IBM,180.25,100,06/21/2024,')).toStrictEqual({
      Type: 'Q',
      Symbol: 'IBM',
      Ask: 180.25,
      'Bid Size': 100,
      'Last Date': '2024-06-21',
    });
  });

  it("one decoder reads each line's own date as dates change, are malformed, and come back", () => {
    const decoder = new L1Decoder();
    decoder.decode('S,CURRENT UPDATE FIELDNAMES,Symbol,Ask,Last Date');
    const lastDate = (date: string) => {
      const m = decoder.decode(`Q,IBM,180.25,${date},`);
      return isDecodeError(m) || m.Type !== 'Q' ? 'error' : m['Last Date'];
    };
    const dates = ['06/21/2024', '06/21/2024', '06/22/2024', '06/2x/2024', '06/21/2024', '', '06/22/2024'];
    expect(dates.map(lastDate)).toEqual([
      '2024-06-21',
      '2024-06-21',
      '2024-06-22',
      'error',
      '2024-06-21',
      null,
      '2024-06-22',
    ]);
  });

  it('a list without Symbol first still reads Symbol first, as IQConnect sends it', () => {
    const decoder = new L1Decoder({ fields: ['Bid', 'Ask'] });
    expect(decoder.fields).toEqual(['Symbol', 'Bid', 'Ask']);
    expect(decoder.decode('P,IBM,1.5,1.75,')).toStrictEqual({
      Type: 'P',
      Symbol: 'IBM',
      Bid: 1.5,
      Ask: 1.75,
    });
  });

  it('an unknown column name reads as text; a column named Type cannot clobber the type', () => {
    const decoder = new L1Decoder({ fields: ['Symbol', 'Future Column', 'Type'] });
    expect(decoder.decode('Q,IBM,abc,xyz,')).toStrictEqual({
      Type: 'Q',
      Symbol: 'IBM',
      'Future Column': 'abc',
    });
  });

  it('keeps exact decimals: 2938. and 134.6200 both decode', () => {
    const decoder = new L1Decoder({ fields: ['Symbol', 'Bid', 'Ask', 'Last'] });
    expect(decoder.decode('Q,ES,2938.,134.6200,215.11,')).toMatchObject({
      Bid: 2938,
      Ask: 134.62,
      Last: 215.11,
    });
  });

  it('names the field, its index and the expectation on a malformed value', () => {
    const e = error(decode('Q,MSFT,412.51,25,14:02:11.020304,11,8123456,41x.50,'));
    expect(e).toMatchObject({ channel: 'L1', field: 'Bid', index: 7, got: '41x.50' });
    expect(e.expected).toMatch(/decimal number/);
    expect(e.error).toContain('Bid (field 7)');
    expect(e.line).toBe('Q,MSFT,412.51,25,14:02:11.020304,11,8123456,41x.50,');
  });

  it('reports a missing column by name', () => {
    const e = error(decode('Q,MSFT,412.51,25'));
    expect(e).toMatchObject({ field: 'Most Recent Trade Time', index: 4, got: null });
  });

  it('requires a symbol and a valid time', () => {
    expect(error(decode('Q,,1,1,10:00:00,'))).toMatchObject({ field: 'Symbol', index: 1 });
    expect(error(decode('Q,A,1,1,10:0:00,'))).toMatchObject({
      field: 'Most Recent Trade Time',
      got: '10:0:00',
    });
  });
});

describe('F fundamentals', () => {
  const f61 = [
    'F,ZVZZT,A,12.5,1500000,30.0000,10.0000,28.5000,12.2500,1.2,0.10,0.40,07/15/2024,06/28/2024,2.5,2.9,8.1,12,TEST CO,ZVZZT ZVZZ1,55.5,1.1,,1200.5,800.25,03/31/2024,300.0,45000,0.50 01/02/2020,,14,4,7372,22.1,1,7,06/01/2024,01/05/2024,06/01/2024,01/05/2024,25.0000,,,,,511210,,,,09:30:00,16:00:00,USD,,,0.01,,BBG000TEST01,2,',
  ].join('');

  it('decodes the 6.1+ layout by default', () => {
    const m = decode(f61);
    expect(isDecodeError(m)).toBe(false);
    expect(Object.keys(m)).toEqual(['Type', ...FUNDAMENTAL_FIELDS.map((f) => f.name)]);
    expect(m).toMatchObject({
      Symbol: 'ZVZZT',
      'Exchange ID': 'A',
      'Average Volume': 1500000,
      'Pay Date': '2024-07-15',
      'Fiscal Year End': 12,
      'Root Option Symbol': 'ZVZZT ZVZZ1',
      'Split Factor 1': '0.50 01/02/2020',
      'Split Factor 2': null,
      'Format Code': '14',
      'Session Open Time': '09:30:00',
      'Minimum Tick Size': 0.01,
      FIGI: 'BBG000TEST01',
      'Security SubType': 2,
    });
  });

  it('follows S,CURRENT PROTOCOL to the 6.0 layout (reserved columns dropped)', () => {
    const decoder = new L1Decoder();
    expect(decoder.decode('S,CURRENT PROTOCOL,6.0,')).toMatchObject({ Protocol: '6.0' });
    expect(decoder.protocol).toBe('6.0');
    const f60 =
      'F,ZVZZT,A,12.5,1500000,30.0000,10.0000,28.5000,12.2500,1.2,0.10,0.40,07/15/2024,06/28/2024,r1,r2,r3,7700,r4,2.5,2.9,8.1,12,r5,TEST CO,ZVZZT,55.5,1.1,,1200.5,800.25,03/31/2024,300.0,45000,r6,0.50 01/02/2020,,r7,19,14,4,7372,22.1,1,7,06/01/2024,01/05/2024,06/01/2024,01/05/2024,25.0000,,,,,511210,,,,';
    const m = decoder.decode(f60);
    expect(isDecodeError(m)).toBe(false);
    const names = FUNDAMENTAL_FIELDS_60.map((f) => f.name).filter((n) => n !== '(Reserved)');
    expect(Object.keys(m)).toEqual(['Type', ...names]);
    expect(m).toMatchObject({
      'Short Interest': 7700,
      'Market Center': 19,
      'Format Code': '14',
      NAICS: 511210,
    });
    expect(m).not.toHaveProperty('Session Open Time');
  });

  it('a 6.1 line read under 6.0 is caught by the column kinds', () => {
    const e = error(new L1Decoder({ protocol: '6.0' }).decode(f61));
    // Columns 14-18 are reserved/Short Interest in 6.0; the first to refuse its text is EPS.
    expect(e).toMatchObject({ field: 'Current Year EPS', index: 19, got: 'ZVZZT ZVZZ1' });
  });
});

describe('R, N, C', () => {
  it('R regional quote', () => {
    expect(decode('R,IBM,,180.1000,300,10:00:01,180.2000,100,10:00:02,14,4,11,')).toStrictEqual({
      Type: 'R',
      Symbol: 'IBM',
      'Exchange (deprecated)': null,
      'Regional Bid': 180.1,
      'Regional Bid Size': 300,
      'Regional Bid Time': '10:00:01',
      'Regional Ask': 180.2,
      'Regional Ask Size': 100,
      'Regional Ask Time': '10:00:02',
      'Fraction Display Code': 14,
      'Decimal Precision': 4,
      'Market Center': 11,
    });
  });

  it('N keeps commas inside the headline and unwraps the symbol list', () => {
    expect(decode('N,DJ,99887766,:IBM:MSFT:,20240621 101500,Deal talk, rumours, and more')).toStrictEqual({
      Type: 'N',
      'Distributor Code': 'DJ',
      'Story ID': '99887766',
      'Symbol List': ['IBM', 'MSFT'],
      Timestamp: '2024-06-21T10:15:00',
      Headline: 'Deal talk, rumours, and more',
    });
    expect(error(decode('N,DJ,1,:IBM:,2024-06-21 10:15,x'))).toMatchObject({ field: 'Timestamp', index: 4 });
  });

  it('C in the real 10-field layout, with blank date and time', () => {
    expect(decode('C,IBM,X,E,,,180.5000,200,12345,,7,')).toStrictEqual({
      Type: 'C',
      Symbol: 'IBM',
      'Correction Type': 'X',
      'Trade Type': 'E',
      'Trade Date': null,
      'Trade Time': null,
      'Trade Price': 180.5,
      'Trade Size': 200,
      TickID: 12345,
      'Trade Conditions': null,
      'Trade Market Center': 7,
    });
    expect(decode('C,IBM,I,,06/21/2024,10:00:00.5,180.5,1,2,3D,7,')).toMatchObject({
      'Trade Type': null,
      'Trade Date': '2024-06-21',
    });
  });

  it('C in the 9-field layout (no Trade Type column)', () => {
    const m = decode('C,IBM,I,06/21/2024,10:00:00.500000,180.5000,200,12345,3D01,7');
    expect(m).toStrictEqual({
      Type: 'C',
      Symbol: 'IBM',
      'Correction Type': 'I',
      'Trade Date': '2024-06-21',
      'Trade Time': '10:00:00.500000',
      'Trade Price': 180.5,
      'Trade Size': 200,
      TickID: 12345,
      'Trade Conditions': '3D01',
      'Trade Market Center': 7,
    });
    expect(decode('C,IBM,I,,10:00:00,180.5,1,2,,7')).toMatchObject({
      'Trade Time': '10:00:00',
      'Trade Price': 180.5,
    });
    expect(decode('C,IBM,I,,,180.5,1,2,,7')).not.toHaveProperty('Trade Type');
  });
});

describe('UpdateFields: the wanted fields of Q and P, without a message object', () => {
  const junk = fc.string({
    unit: fc.constantFrom('1', '9', '0', '.', ':', '/', '-', 'A', 'x', ' '),
    maxLength: 12,
  });

  it('accepts exactly the lines decodeUpdate accepts, with the same values, malformed ones included', () => {
    fc.assert(
      fc.property(
        update,
        fc.option(fc.tuple(fc.nat(), junk), { nil: null }),
        fc.option(fc.nat(), { nil: null }),
        fc.shuffledSubarray([...UPDATE_FIELDS.slice(1).map((f) => f.name), 'Nonexistent'], { minLength: 1 }),
        ({ fields, message }, replace, cut, wanted) => {
          const layout = new UpdateLayout(fields);
          let parts = encodeUpdate(message, layout).split(',');
          // A field replaced by junk (a bad number, time or date), or the line cut short.
          if (replace !== null) parts[2 + (replace[0] % Math.max(1, parts.length - 2))] = replace[1];
          if (cut !== null) parts = parts.slice(0, 2 + (cut % parts.length));
          const line = parts.join(',');
          const decoder = new L1Decoder({ fields });
          const full = decoder.decode(line);
          const lean = new UpdateFields(wanted);
          const ok = lean.read(line, message.Type, decoder.fields);
          expect(ok).toBe(!isDecodeError(full));
          if (!ok || isDecodeError(full)) return;
          const m = full as UpdateMessage;
          expect(lean.type).toBe(m.Type);
          expect(lean.symbol).toBe(m.Symbol);
          expect(lean.values).toEqual(wanted.map((name) => m[name] ?? null));
        },
      ),
    );
  });

  it('follows a new field list, and keeps the last column of a name listed twice', () => {
    const lean = new UpdateFields(['Bid', 'Ask', 'Most Recent Trade Date']);
    expect(
      lean.read('Q,IBM,1.5,2.5,06/21/2024,', 'Q', ['Symbol', 'Bid', 'Ask', 'Most Recent Trade Date']),
    ).toBe(true);
    expect(lean.values).toEqual([1.5, 2.5, '2024-06-21']);
    expect(lean.read('P,IBM,7,8,', 'P', ['Symbol', 'Ask', 'Ask'])).toBe(true);
    expect(lean.type).toBe('P');
    expect(lean.values).toEqual([null, 8, null]);
    expect(lean.read('P,IBM,7,x,', 'P', ['Symbol', 'Ask', 'Ask'])).toBe(false);
  });
});
