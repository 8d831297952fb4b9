import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CHANNELS,
  createDecoder,
  type DecodeError,
  decodeCommand,
  INTERNAL_FAULT,
  isDecodeError,
  LineFramer,
} from '../../../collector/protocol/index.js';

/** The decoders never throw and never report an internal fault, whatever the input. */

const latin1 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('latin1');

function assertDecodes(line: string): void {
  for (const channel of CHANNELS) {
    const result = createDecoder(channel).decode(line);
    if (isDecodeError(result)) expect(result.expected.startsWith(INTERNAL_FAULT), result.error).toBe(false);
    const command = decodeCommand(channel, line);
    if (isDecodeError(command)) expect(command.expected.startsWith(INTERNAL_FAULT)).toBe(false);
  }
}

const PREFIXES = [
  'Q,',
  'P,',
  'F,',
  'R,',
  'N,',
  'C,',
  'T,',
  'n,',
  'E,',
  '0,',
  '3,',
  '4,',
  '5,',
  '6,',
  '7,',
  '8,',
  '9,',
  'Z,',
  '2,',
  'U,',
  'M,',
  'q,',
  'O',
  'S,',
  'S,STATS,',
  'S,CLIENTSTATS,',
  'S,CUST,',
  'S,CLEAR DEPTH,',
  'S,CURRENT UPDATE FIELDNAMES,',
  'S,CURRENT PROTOCOL,',
  'WPL,',
  'WOR,',
  'w',
];

/** Junk built from the characters that matter to the scanner. */
const junk = fc.string({
  unit: fc.constantFrom(',', '.', '-', ':', '/', ' ', '0', '9', 'A', 'B', '\r', '\u00ff', '\u0000'),
  maxLength: 80,
});

describe('decoders on arbitrary input', () => {
  it('any byte string decodes to a message or an error value, without throwing', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => assertDecodes(latin1(bytes))),
      { numRuns: 500 },
    );
  });

  it('any junk after every known prefix does too', () => {
    fc.assert(
      fc.property(fc.constantFrom(...PREFIXES), junk, (prefix, rest) => assertDecodes(prefix + rest)),
      { numRuns: 2000 },
    );
  });

  it('multi-megabyte lines decode without throwing', () => {
    const mb5 = 5 * 1024 * 1024;
    for (const line of [
      `Q,${'x'.repeat(mb5)}`,
      `Q,IBM${','.repeat(mb5)}`,
      `8,${'9'.repeat(mb5)}`,
      `S,CURRENT UPDATE FIELDNAMES,${'Bid,'.repeat(mb5 / 4)}`,
      `N,a,b,c,20240621 101500,${'headline '.repeat(mb5 / 9)}`,
      `S,${'\u00ff'.repeat(mb5)}`,
    ]) {
      assertDecodes(line);
    }
    const e = createDecoder('L2').decode(`8,IBM,${'B'.repeat(mb5)},1,1,1,4,,,`) as DecodeError;
    expect(e.field).toBe('Side');
    expect(e.got?.length).toBeLessThan(200); // clipped, not 5 MB in the message
    expect(e.error.length).toBeLessThan(400);
  });

  it('a decoder keeps working after a malformed line', () => {
    const decoder = createDecoder('L2');
    expect(isDecodeError(decoder.decode('8,IBM,B,xx,1,1,4,,,'))).toBe(true);
    expect(decoder.decode('8,IBM,B,1.5,1,1,4,,,')).toMatchObject({
      Type: '8',
      Price: 1.5,
      Time: null,
      Date: null,
    });
  });
});

describe('trailing comma and terminator variants', () => {
  // Lines as some sources write them without the trailing comma; IQConnect adds one to most.
  const samples: readonly (readonly ['L1' | 'L2' | 'ADMIN', string])[] = [
    ['L1', 'Q,IBM,180.25,100,10:00:00.1,5,900,180.2,1,180.3,2,,,,,C,01'],
    ['L1', 'R,IBM,,180.1,3,10:00:01,180.2,1,10:00:02,14,4,11'],
    ['L1', 'N,DJ,1,:IBM:,20240621 101500,Headline, with a comma'],
    ['L1', 'C,IBM,X,E,,,180.5,200,12345,,7'],
    ['L1', 'S,CURRENT PROTOCOL,6.2'],
    ['L1', 'S,WATCHES,IBM,MSFT'],
    ['L1', 'n,NOPE'],
    ['L2', '8,IBM,B,180.1,100,1,4,09:30:00.1,2024-06-21'],
    ['L2', '5,IBM,,EDGX,A,,2024-06-21'],
    ['L2', 'S,CLEAR DEPTH,IBM,B'],
    ['L2', 'S,WATCHES,IBM'],
    ['L2', 'M,GSCO,Goldman Sachs'],
    ['ADMIN', 'S,CLIENTSTATS,1,3,x,20240621 093001,2,1,0.5,1.5,0'],
    ['ADMIN', 'E,6.3 is not a valid protocol.'],
  ];

  for (const [channel, line] of samples) {
    it(`${channel} ${line.slice(0, 30)}: same message with and without the trailing comma, LF or CRLF`, () => {
      const plain = createDecoder(channel).decode(line);
      expect(isDecodeError(plain), JSON.stringify(plain)).toBe(false);
      expect(createDecoder(channel).decode(`${line},`)).toEqual(plain);
      for (const terminator of ['\n', '\r\n']) {
        const framer = new LineFramer();
        const [framed] = framer.push(Buffer.from(`${line},${terminator}`, 'latin1'));
        expect(createDecoder(channel).decode(framed)).toEqual(plain);
      }
    });
  }
});
