import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LineFramer, SERVER_TERMINATORS } from '../../../collector/protocol/framing.js';

const bytes = (text: string): Buffer => Buffer.from(text, 'latin1');

/** Feeds `data` cut at `cuts` (sorted offsets) and returns every line, remainder last. */
function frame(
  data: Buffer,
  cuts: readonly number[],
  maxLineBytes?: number,
): { lines: string[]; rest: string | null } {
  const framer = new LineFramer({ maxLineBytes });
  const lines: string[] = [];
  let from = 0;
  for (const cut of [...cuts, data.length]) {
    lines.push(...framer.push(data.subarray(from, cut)));
    from = cut;
  }
  return { lines, rest: framer.end() };
}

describe('LineFramer', () => {
  it('splits on LF and strips one CR, per port', () => {
    const framer = new LineFramer();
    expect(framer.push(bytes('S,SERVER CONNECTED\r\n7,X,B,1.5,1,1,1,,,\r\nT,20240621 09:30:00\n'))).toEqual([
      'S,SERVER CONNECTED',
      '7,X,B,1.5,1,1,1,,,',
      'T,20240621 09:30:00',
    ]);
    expect(SERVER_TERMINATORS).toEqual({ L1: '\n', L2: '\r\n', ADMIN: '\n' });
  });

  it('keeps a line cut in the middle, and a CRLF cut between CR and LF', () => {
    const framer = new LineFramer();
    expect(framer.push(bytes('8,MSFT,A,41'))).toEqual([]);
    expect(framer.push(bytes('2.5,300,2,4,10:00:00.1,2024-06-21,\r'))).toEqual([]);
    expect(framer.push(bytes('\nO\r'))).toEqual(['8,MSFT,A,412.5,300,2,4,10:00:00.1,2024-06-21,']);
    expect(framer.push(bytes('\n'))).toEqual(['O']);
    expect(framer.end()).toBeNull();
  });

  it('strips only one CR and keeps empty lines', () => {
    const framer = new LineFramer();
    expect(framer.push(bytes('a\r\r\n\n\r\nb'))).toEqual(['a\r', '', '']);
    expect(framer.end()).toBe('b');
  });

  it('passes every byte value through as latin1', () => {
    const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i).filter((b) => b !== 10));
    const framer = new LineFramer();
    const [line] = framer.push(Buffer.concat([all, bytes('\n')]));
    expect(Buffer.from(line, 'latin1')).toEqual(all);
  });

  it('cuts an oversized line into pieces of maxLineBytes and counts it once', () => {
    const framer = new LineFramer({ maxLineBytes: 4 });
    const lines = [...framer.push(bytes('abcdefghij')), ...framer.push(bytes('k\r\nxy\n'))];
    expect(lines).toEqual(['abcd', 'efgh', 'ijk', 'xy']);
    expect(framer.oversizedLines).toBe(1);
    expect(framer.oversizedPieces).toBe(3);
  });

  it('holds at most maxLineBytes + 1 bytes of an unfinished line', () => {
    const framer = new LineFramer({ maxLineBytes: 1000 });
    let emitted = 0;
    for (let i = 0; i < 100; i++) emitted += framer.push(Buffer.alloc(777, 0x41)).join('').length;
    expect(77_700 - emitted).toBeLessThanOrEqual(1001);
    const rest = framer.end();
    expect(emitted + (rest ?? '').length).toBe(77_700);
    expect(framer.oversizedLines).toBe(1);
  });

  it('a line of exactly maxLineBytes with CRLF is one piece', () => {
    const framer = new LineFramer({ maxLineBytes: 3 });
    expect([...framer.push(bytes('abc\r')), ...framer.push(bytes('\n'))]).toEqual(['abc']);
    expect(framer.oversizedLines).toBe(0);
  });

  it('refuses a nonsensical limit', () => {
    expect(() => new LineFramer({ maxLineBytes: 0 })).toThrow(/maxLineBytes/);
  });
});

const lineText = fc.string({
  unit: fc
    .integer({ min: 0, max: 255 })
    .filter((b) => b !== 10)
    .map((b) => String.fromCharCode(b)),
  maxLength: 40,
});

/** Lines with their terminators (LF or CRLF) and an optional unterminated tail. */
const stream = fc
  .tuple(
    fc.array(fc.tuple(lineText, fc.constantFrom('\n', '\r\n')), { maxLength: 20 }),
    fc.option(
      lineText.filter((t) => t !== ''),
      { nil: null },
    ),
  )
  .map(([lines, tail]) => ({
    data: bytes(lines.map(([l, t]) => l + t).join('') + (tail ?? '')),
    lines: lines.map(([l, t]) => (t === '\n' && l.endsWith('\r') ? l.slice(0, -1) : l)),
    tail,
  }));

const withCuts = stream.chain((s) =>
  fc.uniqueArray(fc.integer({ min: 0, max: s.data.length }), { maxLength: 12 }).map((cuts) => ({
    ...s,
    cuts: cuts.sort((a, b) => a - b),
  })),
);

describe('LineFramer properties', () => {
  it('gives the same lines however the stream is chunked (cuts inside CRLF included)', () => {
    fc.assert(
      fc.property(withCuts, ({ data, lines, tail, cuts }) => {
        const whole = frame(data, []);
        expect(whole.lines).toEqual(lines);
        expect(whole.rest).toBe(tail);
        expect(frame(data, cuts)).toEqual(whole);
      }),
    );
  });

  it('with a small limit: chunking-invariant, pieces within the limit, no byte lost', () => {
    fc.assert(
      fc.property(withCuts, fc.integer({ min: 1, max: 9 }), ({ data, lines, tail, cuts }, max) => {
        const whole = frame(data, [], max);
        expect(frame(data, cuts, max)).toEqual(whole);
        const expected = lines.flatMap((l) => {
          if (l.length <= max) return [l];
          const pieces: string[] = [];
          for (let i = 0; i < l.length; i += max) pieces.push(l.slice(i, i + max));
          return pieces;
        });
        const tailPieces = tail === null ? [] : [tail];
        const got = whole.rest === null ? whole.lines : [...whole.lines, whole.rest];
        expect(got.join('')).toBe([...expected, ...tailPieces].join(''));
        expect(whole.lines).toEqual([...expected, ...whole.lines.slice(expected.length)]);
        for (const piece of whole.lines) expect(piece.length).toBeLessThanOrEqual(max);
      }),
    );
  });
});
