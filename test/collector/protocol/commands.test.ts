import { describe, expect, it } from 'vitest';
import {
  type DecodeError,
  decodeCommand,
  encodeCommand,
  isDecodeError,
} from '../../../collector/protocol/index.js';

function error(result: unknown): DecodeError {
  expect(isDecodeError(result), JSON.stringify(result)).toBe(true);
  return result as DecodeError;
}

describe('client commands', () => {
  it('decodes the collector handshake and watches', () => {
    expect(decodeCommand('L1', 'S,SET PROTOCOL,6.2')).toStrictEqual({
      Command: 'SET PROTOCOL',
      Args: ['6.2'],
    });
    expect(decodeCommand('L1', 'S,SELECT UPDATE FIELDS,Symbol,Bid,Bid Size')).toStrictEqual({
      Command: 'SELECT UPDATE FIELDS',
      Args: ['Symbol', 'Bid', 'Bid Size'],
    });
    expect(decodeCommand('L1', 'tIBM')).toStrictEqual({ Command: 't', Symbol: 'IBM' });
    expect(decodeCommand('L1', 'T')).toStrictEqual({ Command: 'T' });
    expect(decodeCommand('L1', 'S,TIMESTAMPSON')).toStrictEqual({ Command: 'TIMESTAMPSON' });
    expect(decodeCommand('L2', 'WPL,@NQU24,5')).toStrictEqual({
      Command: 'WPL',
      Symbol: '@NQU24',
      'Max Price Levels': 5,
    });
    expect(decodeCommand('L2', 'WOR,IBM')).toStrictEqual({ Command: 'WOR', Symbol: 'IBM' });
    expect(decodeCommand('L2', 'mGSCO')).toStrictEqual({ Command: 'm', MMID: 'GSCO' });
    expect(decodeCommand('ADMIN', 'S,REGISTER CLIENT APP,PRODUCT_ID')).toStrictEqual({
      Command: 'REGISTER CLIENT APP',
      Args: ['PRODUCT_ID'],
    });
  });

  it('accepts a lower-case keyword and one trailing comma', () => {
    expect(decodeCommand('ADMIN', 'S,clientstats on')).toStrictEqual({ Command: 'CLIENTSTATS ON' });
    expect(decodeCommand('L2', 'S,SET PROTOCOL,6.2,')).toStrictEqual({
      Command: 'SET PROTOCOL',
      Args: ['6.2'],
    });
  });

  it('encodes every form back', () => {
    expect(encodeCommand({ Command: 'w', Symbol: 'IBM' })).toBe('wIBM');
    expect(encodeCommand({ Command: 'WPL', Symbol: 'IBM' })).toBe('WPL,IBM');
    expect(encodeCommand({ Command: 'WPL', Symbol: 'IBM', 'Max Price Levels': 10 })).toBe('WPL,IBM,10');
    expect(encodeCommand({ Command: 'SET LOG LEVELS', Args: ['L2Data', 'L2Error'] })).toBe(
      'S,SET LOG LEVELS,L2Data,L2Error',
    );
    expect(encodeCommand({ Command: 'UNWATCH ALL' })).toBe('S,UNWATCH ALL');
  });

  it('refuses to encode what could not be sent', () => {
    expect(() => encodeCommand({ Command: 'w', Symbol: 'A,B' })).toThrow(/cannot encode Symbol/);
    expect(() => encodeCommand({ Command: 'SET PROTOCOL', Args: [] })).toThrow(/takes 1\.\.1 arguments/);
  });

  it('names what is wrong with a bad command', () => {
    expect(error(decodeCommand('L1', 'S,FLY TO MOON'))).toMatchObject({
      field: 'Command',
      index: 1,
      got: 'FLY TO MOON',
    });
    expect(error(decodeCommand('L1', 'S,SET PROTOCOL'))).toMatchObject({
      field: 'Args',
      expected: '1 argument(s) for S,SET PROTOCOL',
    });
    expect(error(decodeCommand('L1', 'S,CONNECT,now'))).toMatchObject({ field: 'Args', got: 'now' });
    expect(error(decodeCommand('L1', 'w'))).toMatchObject({ field: 'Symbol', got: '' });
    expect(error(decodeCommand('L1', 'Tx'))).toMatchObject({ expected: 'T alone' });
    expect(error(decodeCommand('L1', 'WOR,IBM'))).toMatchObject({ field: 'Command', index: 0 });
    expect(error(decodeCommand('L2', 'WPL,IBM,0'))).toMatchObject({ field: 'Max Price Levels', got: '0' });
    expect(error(decodeCommand('L2', 'WOR,'))).toMatchObject({ field: 'Symbol' });
    expect(error(decodeCommand('L2', 'WOR'))).toMatchObject({ field: 'Symbol', got: null });
    expect(error(decodeCommand('ADMIN', 'wIBM'))).toMatchObject({
      field: 'Command',
      expected: expect.stringContaining('ADMIN'),
    });
    expect(error(decodeCommand('L2', ''))).toMatchObject({ field: 'Command' });
  });
});
