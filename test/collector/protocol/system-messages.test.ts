import { describe, expect, it } from 'vitest';
import { isDecodeError, L1Decoder } from '../../../collector/protocol/index.js';

const decode = (line: string) => new L1Decoder().decode(line);

describe('L1 system messages', () => {
  it('the connect banner', () => {
    expect(decode('S,KEY,12345')).toStrictEqual({ Type: 'S', 'System Type': 'KEY', Key: '12345' });
    expect(decode('S,KEYOK')).toStrictEqual({ Type: 'S', 'System Type': 'KEYOK' });
    expect(decode('S,SERVER DISCONNECTED')).toStrictEqual({
      Type: 'S',
      'System Type': 'SERVER DISCONNECTED',
    });
    expect(decode('S,IP,10.0.0.1 60001,10.0.0.2 60002')).toStrictEqual({
      Type: 'S',
      'System Type': 'IP',
      Endpoints: ['10.0.0.1 60001', '10.0.0.2 60002'],
    });
    expect(
      decode('S,CUST,delayed,10.0.0.9,60003,tok3n,6.2.0.25,0, NYSE NASDAQ ,XYZ123,1300,QT_API,20250101,'),
    ).toStrictEqual({
      Type: 'S',
      'System Type': 'CUST',
      'Service Type': 'delayed',
      'Server IP': '10.0.0.9',
      'Server Port': 60003,
      Token: 'tok3n',
      'IQConnect Version': '6.2.0.25',
      'Unknown 7': '0',
      'Real-time Exchanges': ' NYSE NASDAQ ',
      'Unknown 9': 'XYZ123',
      'Max Symbols': 1300,
      Flags: 'QT_API',
      'Expiration Date': '2025-01-01',
    });
  });

  it('lists: field names, watches (empty too), log levels', () => {
    expect(decode('S,FUNDAMENTAL FIELDNAMES,Symbol,PE,')).toMatchObject({ Fields: ['Symbol', 'PE'] });
    expect(decode('S,WATCHES')).toStrictEqual({ Type: 'S', 'System Type': 'WATCHES', Symbols: [] });
    expect(decode('S,WATCHES,IBM,MSFT')).toMatchObject({ Symbols: ['IBM', 'MSFT'] });
    expect(decode('S,CURRENT LOG LEVELS,L1Data,Debug')).toMatchObject({ 'Log Levels': ['L1Data', 'Debug'] });
    expect(decode('S,SYMBOL LIMIT REACHED,ZVZZT')).toStrictEqual({
      Type: 'S',
      'System Type': 'SYMBOL LIMIT REACHED',
      Symbol: 'ZVZZT',
    });
  });

  it('an unknown keyword is an error listing the known ones', () => {
    const e = decode('S,SOMETHING NEW,1');
    expect(isDecodeError(e) && e).toMatchObject({ field: 'System Type', index: 1, got: 'SOMETHING NEW' });
    expect(isDecodeError(e) && e.expected).toContain('CURRENT UPDATE FIELDNAMES');
    const missing = decode('S');
    expect(isDecodeError(missing) && missing).toMatchObject({ field: 'System Type', index: 1, got: null });
  });
});

describe('types', () => {
  it('narrow on Type and System Type', () => {
    const m = decode('S,CURRENT UPDATE FIELDNAMES,Symbol,Bid');
    if (isDecodeError(m) || m.Type !== 'S' || m['System Type'] !== 'CURRENT UPDATE FIELDNAMES') {
      throw new Error('expected a field list');
    }
    const fields: readonly string[] = m.Fields; // typed without a cast
    expect(fields).toEqual(['Symbol', 'Bid']);
    const q = decode('Q,IBM,1,1,10:00:00,1,1,1,1,1,1,1,1,1,1,C,01,');
    if (isDecodeError(q) || q.Type !== 'Q') throw new Error('expected a Q');
    const bid: string | number | null = q.Bid;
    expect(bid).toBe(1);
  });
});
