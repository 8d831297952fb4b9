/**
 * Fuzzing the codec with arbitrary bytes, for a bounded time each (CI-sized: a few seconds):
 * the decoders of every port, the client-command decoder and the line framer must never throw,
 * whatever they are fed; a decoder answers a message or a DecodeError naming the problem; the
 * framer loses no byte and gives the same lines however the bytes are chunked.
 *
 * `L2H_FUZZ_MS` raises the time per target (e.g. 60000 for a longer local run). Every failure
 * prints fast-check's seed and path, which replay it.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Channel } from '../../collector/protocol/channel.js';
import { createDecoder, decodeCommand, isDecodeError, LineFramer } from '../../collector/protocol/index.js';

const BUDGET_MS = Number(process.env['L2H_FUZZ_MS'] ?? 2000);
const RUN = {
  numRuns: 10_000_000,
  interruptAfterTimeLimit: BUDGET_MS,
  markInterruptAsFailure: false,
} as const;
const TIMEOUT = BUDGET_MS * 4 + 10_000;

/** Bytes as a latin1 string (one char per byte), as the collector hands lines to decoders. */
const latin1 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('latin1');

/** Lines that look like IQFeed (a known type, then fields) but hold anything. */
const TYPES = [
  'Q',
  'P',
  'F',
  'R',
  'C',
  'T',
  'E',
  'N',
  'S',
  'n',
  'q',
  'O',
  'M',
  '0',
  '2',
  '3',
  '4',
  '5',
  '6',
  '7',
  '8',
  '9',
  'Z',
  'U',
];
const field = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.constantFrom(
    '',
    '0',
    '-1',
    '1e999',
    'NaN',
    '99:99:99',
    '2025-07-25',
    '09:30:00.000000',
    'B',
    'A',
    'ÿ',
    '\u0000',
  ),
  fc.integer().map(String),
  fc.double().map(String),
);
const iqfeedish = fc
  .tuple(fc.constantFrom(...TYPES), fc.array(field, { maxLength: 40 }))
  .map(([t, fields]) => [t, ...fields].join(','));
const anyLine = fc.oneof(
  fc.uint8Array({ maxLength: 300 }).map(latin1),
  iqfeedish,
  fc.string({ maxLength: 200 }),
);

function checkDecoded(channel: Channel, line: string, m: unknown): void {
  if (isDecodeError(m as never)) {
    const e = m as { error: string; channel: Channel; line: string };
    expect(typeof e.error).toBe('string');
    expect(e.error.length).toBeGreaterThan(0);
    expect(e.channel).toBe(channel);
    expect(e.line).toBe(line);
  } else {
    expect(typeof m).toBe('object');
    expect(m).not.toBeNull();
  }
}

describe('fuzz: decoders never throw', () => {
  for (const channel of ['L1', 'L2', 'ADMIN'] as const) {
    it(
      `${channel} decoder, stateful over sequences of arbitrary lines`,
      () => {
        fc.assert(
          fc.property(fc.array(anyLine, { maxLength: 30 }), (lines) => {
            const d = createDecoder(channel);
            for (const line of lines) checkDecoded(channel, line, d.decode(line));
          }),
          RUN,
        );
      },
      TIMEOUT,
    );
  }

  it(
    'client command decoder on every port',
    () => {
      fc.assert(
        fc.property(fc.constantFrom<Channel>('L1', 'L2', 'ADMIN'), anyLine, (channel, line) => {
          checkDecoded(channel, line, decodeCommand(channel, line));
        }),
        RUN,
      );
    },
    TIMEOUT,
  );
});

describe('fuzz: framing', () => {
  /** What a correct framer must give for `bytes`: split on LF, one trailing CR dropped. */
  function reference(bytes: Buffer): { lines: string[]; rest: string | null } {
    const parts = bytes.toString('latin1').split('\n');
    const rest = parts.pop()!;
    return {
      lines: parts.map((p) => (p.endsWith('\r') ? p.slice(0, -1) : p)),
      rest: rest === '' ? null : rest,
    };
  }

  const input = fc.tuple(
    fc.uint8Array({ maxLength: 2000 }).chain((b) =>
      // Bias toward terminators so lines are short and CRLF is split often.
      fc.constant(Buffer.from(b.map((x) => (x % 7 === 0 ? 10 : x % 11 === 0 ? 13 : x)))),
    ),
    fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 50 }),
  );

  it(
    'loses no byte and is independent of chunking (no line limit hit)',
    () => {
      fc.assert(
        fc.property(input, ([bytes, sizes]) => {
          const f = new LineFramer();
          const out: string[] = [];
          let at = 0;
          for (let i = 0; at < bytes.length; i++) {
            const n = sizes[i % sizes.length]!;
            out.push(...f.push(bytes.subarray(at, at + n)));
            at += n;
          }
          const rest = f.end();
          const want = reference(bytes);
          expect(out).toEqual(want.lines);
          expect(rest).toEqual(want.rest);
        }),
        RUN,
      );
    },
    TIMEOUT,
  );

  it(
    'with a small line limit: pieces of at most the limit, concatenating to the line',
    () => {
      fc.assert(
        fc.property(input, fc.integer({ min: 1, max: 40 }), ([bytes, sizes], max) => {
          const f = new LineFramer({ maxLineBytes: max });
          const pieces: string[] = [];
          let at = 0;
          for (let i = 0; at < bytes.length; i++) {
            const n = sizes[i % sizes.length]!;
            pieces.push(...f.push(bytes.subarray(at, at + n)));
            at += n;
          }
          const rest = f.end();
          for (const p of pieces) expect(p.length).toBeLessThanOrEqual(max);
          const want = reference(bytes);
          // Joined, the pieces and the remainder are the lines and the remainder: no byte lost
          // or added (an overlong unterminated line may be cut before the stream ends).
          expect(pieces.join('') + (rest ?? '')).toBe(want.lines.join('') + (want.rest ?? ''));
          expect(pieces.length).toBeGreaterThanOrEqual(want.lines.length);
          if (rest !== null) expect(rest.length).toBeLessThanOrEqual(max + 1);
        }),
        RUN,
      );
    },
    TIMEOUT,
  );
});
