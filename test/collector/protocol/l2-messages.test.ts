import { describe, expect, it } from 'vitest';
import {
  type DecodeError,
  isDecodeError,
  L2Decoder,
  type L2Message,
} from '../../../collector/protocol/index.js';

const decode = (line: string): L2Message | DecodeError => new L2Decoder().decode(line);

function error(result: unknown): DecodeError {
  expect(isDecodeError(result), JSON.stringify(result)).toBe(true);
  return result as DecodeError;
}

describe('market by price', () => {
  it('7 summary and 8 update', () => {
    expect(decode('7,MSFT,A,412.5200,900,3,4,09:30:01.000100,2024-06-21,')).toStrictEqual({
      Type: '7',
      Symbol: 'MSFT',
      Side: 'A',
      Price: 412.52,
      Size: 900,
      'Order Count': 3,
      Precision: 4,
      Time: '09:30:01.000100',
      Date: '2024-06-21',
    });
    const m = decode('8,MSFT,B,412.5,0,0,4,09:30:02.5,2024-06-21');
    expect(m).toMatchObject({ Type: '8', Side: 'B', Size: 0, 'Order Count': 0 });
  });

  it('narrows on Type', () => {
    const m = decode('8,MSFT,B,412.5,10,1,4,09:30:02.5,2024-06-21,');
    if (isDecodeError(m) || m.Type !== '8') throw new Error('expected an 8');
    const price: number = m.Price; // typed: no cast needed
    expect(price).toBe(412.5);
  });

  it('9 delete carries the price', () => {
    expect(decode('9,MSFT,A,412.5200,09:30:03.000000,2024-06-21,')).toStrictEqual({
      Type: '9',
      Symbol: 'MSFT',
      Side: 'A',
      Price: 412.52,
      Time: '09:30:03.000000',
      Date: '2024-06-21',
    });
  });

  it('malformed rows name the field', () => {
    expect(error(decode('8,MSFT,S,412.5,10,1,4,09:30:02,2024-06-21,'))).toMatchObject({
      field: 'Side',
      index: 2,
      expected: 'A or B',
      got: 'S',
    });
    expect(error(decode('8,MSFT,B,,10,1,4,09:30:02,2024-06-21,'))).toMatchObject({ field: 'Price', got: '' });
    expect(error(decode('8,MSFT,B,412.5,10.5,1,4,09:30:02,2024-06-21,'))).toMatchObject({
      field: 'Size',
      got: '10.5',
    });
    expect(error(decode('8,MSFT,B,412.5,10,1,4,09:30:02,21/06/2024,'))).toMatchObject({
      field: 'Date',
      index: 8,
      expected: 'a date YYYY-MM-DD',
    });
    expect(error(decode('7,MSFT,B,412.5'))).toMatchObject({ field: 'Size', index: 4, got: null });
  });
});

describe('market by order', () => {
  it('3 add with an order id beyond 2^32', () => {
    expect(
      decode('3,@NQU24,7700112233445,,B,19800.25,3,98765432101,2,18:00:00.250000,2024-06-20,'),
    ).toStrictEqual({
      Type: '3',
      Symbol: '@NQU24',
      'Order ID': 7700112233445,
      MMID: null,
      Side: 'B',
      Price: 19800.25,
      'Order Size': 3,
      'Order Priority': 98765432101,
      Precision: 2,
      'Order Time': '18:00:00.250000',
      'Order Date': '2024-06-20',
    });
  });

  it('4 and 6 rows keyed by MMID (Nasdaq), 0 with the same layout', () => {
    expect(decode('6,IBM,,ARCA,A,180.3000,200,,4,09:29:59.100000,2024-06-21,')).toMatchObject({
      Type: '6',
      'Order ID': null,
      MMID: 'ARCA',
      'Order Priority': null,
    });
    expect(decode('4,IBM,,NSDQ,B,180.1,100,,4,09:30:00.1,2024-06-21,')).toMatchObject({
      Type: '4',
      MMID: 'NSDQ',
    });
    expect(decode('0,IBM,5,,B,180.1,100,7,4,09:30:00.1,2024-06-21,')).toMatchObject({
      Type: '0',
      'Order ID': 5,
    });
  });

  it('5 delete, with a blank time', () => {
    expect(decode('5,IBM,,EDGX,A,,2024-06-21,')).toStrictEqual({
      Type: '5',
      Symbol: 'IBM',
      'Order ID': null,
      MMID: 'EDGX',
      Side: 'A',
      'Order Time': null,
      'Order Date': '2024-06-21',
    });
  });

  it('refuses an order id beyond 2^53 rather than rounding it', () => {
    expect(error(decode('3,X,90071992547409930,,B,1,1,1,2,10:00:00,2024-06-21,'))).toMatchObject({
      field: 'Order ID',
    });
  });
});

describe('legacy market maker and replies', () => {
  it('Z summary and 2 update', () => {
    expect(
      decode('Z,INTC,GSCO,30.12,30.15,500,700,10:00:00.000001,2020-02-03,52,10:00:00.000002,T,T,T,'),
    ).toStrictEqual({
      Type: 'Z',
      Symbol: 'INTC',
      MMID: 'GSCO',
      Bid: 30.12,
      Ask: 30.15,
      'Bid Size': 500,
      'Ask Size': 700,
      'Bid Time': '10:00:00.000001',
      Date: '2020-02-03',
      'Condition Code': '52',
      'Ask Time': '10:00:00.000002',
      'Bid Info Valid': 'T',
      'Ask Info Valid': 'T',
      'End Of Message Group': 'T',
    });
    expect(decode('2,INTC,GSCO,30.,30.2,1,2,10:00:01,2020-02-03,52,10:00:01,T,F,F,')).toMatchObject({
      Type: '2',
      Bid: 30,
    });
  });

  it('U records of the no-protocol mode, with 99:99:99 times', () => {
    expect(decode('U,INTC,MSCO,0.,0.,0,0,99:99:99,2021-08-02,20,52,7,99:99:99,F,F,')).toMatchObject({
      Type: 'U',
      MMID: 'MSCO',
      Bid: 0,
      'Bid Time': '99:99:99',
      'Unknown 11': '7',
      'Ask Valid?': 'F',
    });
  });

  it('M, q, O, n, T and E', () => {
    expect(decode('M,GSCO,Goldman, Sachs & Co.')).toStrictEqual({
      Type: 'M',
      MMID: 'GSCO',
      Description: 'Goldman, Sachs & Co.',
    });
    expect(decode('q,ZVZZT')).toStrictEqual({ Type: 'q', Symbol: 'ZVZZT' });
    expect(decode('O')).toStrictEqual({ Type: 'O' });
    expect(decode('n,NOPE')).toStrictEqual({ Type: 'n', Symbol: 'NOPE' });
    expect(decode('T,20240621 09:30:00')).toStrictEqual({ Type: 'T', Timestamp: '2024-06-21T09:30:00' });
    expect(decode('E,bad thing, happened,')).toStrictEqual({ Type: 'E', Error: 'bad thing, happened' });
    expect(error(decode('T,2024-06-21 09:30:00'))).toMatchObject({ field: 'Timestamp', index: 1 });
    expect(error(decode('T,'))).toMatchObject({ field: 'Timestamp', got: '' });
  });

  it('S lines of the depth port', () => {
    expect(decode('S,CLEAR DEPTH,@NQU24,A,')).toStrictEqual({
      Type: 'S',
      'System Type': 'CLEAR DEPTH',
      Symbol: '@NQU24',
      Side: 'A',
    });
    expect(decode('S,SERVER RECONNECT FAILED')).toStrictEqual({
      Type: 'S',
      'System Type': 'SERVER RECONNECT FAILED',
    });
    expect(decode('S,CURRENT PROTOCOL,6.2')).toStrictEqual({
      Type: 'S',
      'System Type': 'CURRENT PROTOCOL',
      Protocol: '6.2',
    });
    expect(error(decode('S,STATS,,,'))).toMatchObject({ field: 'System Type', index: 1, got: 'STATS' });
    expect(error(decode('S,CLEAR DEPTH,@NQU24,'))).toMatchObject({ field: 'Side', got: '' });
  });

  it('unknown or multi-character types are errors naming the Type field', () => {
    expect(error(decode('Q,IBM,1,'))).toMatchObject({ field: 'Type', index: 0, got: 'Q' });
    expect(error(decode('LH,2024-06-21,1'))).toMatchObject({ field: 'Type', got: 'LH' });
    expect(error(decode(''))).toMatchObject({ field: 'Type', got: '' });
  });
});
