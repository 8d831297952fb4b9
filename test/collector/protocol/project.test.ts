import { describe, expect, it } from 'vitest';
import { createL1Projector, DEFAULT_UPDATE_FIELDS, L1Decoder } from '../../../collector/protocol/index.js';

const DEFAULT_LINE =
  'Q,MSFT,412.5100,25,14:02:11.020304,11,8123456,412.5000,300,412.5200,200,410.0000,413.1000,409.8800,411.7500,Cba,3D,';

describe('createL1Projector', () => {
  it('returns lines unchanged when the lists are equal', () => {
    const project = createL1Projector(DEFAULT_UPDATE_FIELDS, [...DEFAULT_UPDATE_FIELDS]);
    expect(project(DEFAULT_LINE)).toBe(DEFAULT_LINE);
  });

  it('re-projects raw text, keeping the trailing comma and the digits as sent', () => {
    const project = createL1Projector(DEFAULT_UPDATE_FIELDS, [
      'Symbol',
      'Ask',
      'Bid',
      'VWAP',
      'Message Contents',
    ]);
    expect(project(DEFAULT_LINE)).toBe('Q,MSFT,412.5200,412.5000,,Cba,');
  });

  it('forces Symbol first whatever the target list says', () => {
    const project = createL1Projector(DEFAULT_UPDATE_FIELDS, ['Bid', 'Symbol', 'Ask']);
    expect(project(DEFAULT_LINE.replace('Q,', 'P,'))).toBe('P,MSFT,412.5000,412.5200,');
  });

  it('keeps a missing trailing comma missing and passes other lines through', () => {
    const project = createL1Projector(['Symbol', 'Bid', 'Ask'], ['Symbol', 'Ask']);
    expect(project('Q,IBM,180.10,180.20')).toBe('Q,IBM,180.20');
    expect(project('T,20240621 10:00:00')).toBe('T,20240621 10:00:00');
    expect(project('S,CURRENT UPDATE FIELDNAMES,Symbol,Bid,Ask')).toBe(
      'S,CURRENT UPDATE FIELDNAMES,Symbol,Bid,Ask',
    );
  });

  it('gives empty fields for columns a short source line lacks', () => {
    const project = createL1Projector(['Symbol', 'Bid', 'Ask', 'Last'], ['Symbol', 'Last', 'Bid']);
    expect(project('Q,IBM,180.10')).toBe('Q,IBM,,180.10');
  });

  it('produces lines that decode under the target list to the source values', () => {
    const target = ['Symbol', 'Total Volume', 'Bid', 'Bid Size', 'Most Recent Trade Time', 'Open Interest'];
    const projected = createL1Projector(DEFAULT_UPDATE_FIELDS, target)(DEFAULT_LINE);
    const source = new L1Decoder().decode(DEFAULT_LINE);
    expect(new L1Decoder({ fields: target }).decode(projected)).toEqual({
      Type: 'Q',
      Symbol: 'MSFT',
      'Total Volume': 8123456,
      Bid: 412.5,
      'Bid Size': 300,
      'Most Recent Trade Time': '14:02:11.020304',
      'Open Interest': null,
    });
    expect(source).toMatchObject({ 'Total Volume': 8123456, Bid: 412.5 });
  });
});
