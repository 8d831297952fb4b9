import { mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lastSeqOf } from '../../../../collector/sinks/jsonl/tail.js';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'l2h-tail-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

interface Line {
  readonly session: string;
  readonly seq: number;
  /** Text before the identity, which may hold the session's name in a string. */
  readonly pad: string;
}

const text = (l: Line) =>
  `{"note":${JSON.stringify(l.pad)},"session":${JSON.stringify(l.session)},"seq":${l.seq}}\n`;

async function scan(lines: readonly Line[], session: string, chunk: number): Promise<number> {
  const path = join(dir, 'stream.jsonl');
  const body = lines.map(text).join('');
  await writeFile(path, body);
  const handle = await open(path, 'r');
  try {
    return await lastSeqOf(handle, Buffer.byteLength(body), session, chunk);
  } finally {
    await handle.close();
  }
}

/** The model: the seq of the session's last line, 0 when it has none. */
function expected(lines: readonly Line[], session: string): number {
  for (let i = lines.length - 1; i >= 0; i--) if (lines[i].session === session) return lines[i].seq;
  return 0;
}

describe('lastSeqOf', () => {
  it('reads back past a newline that falls on the first byte of a read chunk', async () => {
    // The last line is chunk - 1 bytes long, so the newline before it is the first byte read.
    // The scan used to ask for the last newline before offset -1, which searches from the end
    // again, and looped for ever: a collector hung at start on a data dir of an earlier run.
    const chunk = 256;
    const mine: Line = { session: 'MINE', seq: 7, pad: '' };
    const filler: Line = { session: 'OTHER', seq: 1, pad: 'x'.repeat(600) };
    const base = text({ session: 'OTHER', seq: 2, pad: '' }).length;
    const last: Line = { session: 'OTHER', seq: 2, pad: 'y'.repeat(chunk - 1 - base) };
    expect(text(last).length).toBe(chunk - 1);
    expect(await scan([mine, filler, last], 'MINE', chunk)).toBe(7);
  });

  it('finds the last record of the session wherever lines and read chunks fall', async () => {
    const session = fc.constantFrom('S1', 'S2', 'S"3');
    const line = fc.record({
      session,
      seq: fc.integer({ min: 1, max: 1e9 }),
      // Pads that hold other sessions' identities as text, and newlines escaped in JSON.
      pad: fc.oneof(
        fc.string({ maxLength: 40 }),
        fc.constantFrom('"session":"S1","seq":5}', '\n', 'S1'),
        fc.nat({ max: 300 }).map((n) => 'z'.repeat(n)),
      ),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.array(line, { maxLength: 30 }),
        session,
        fc.integer({ min: 1, max: 200 }),
        async (lines, wanted, chunk) => {
          expect(await scan(lines, wanted, chunk)).toBe(expected(lines, wanted));
        },
      ),
      { numRuns: 300 },
    );
  });
});
