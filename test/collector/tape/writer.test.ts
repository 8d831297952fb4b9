import { access, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import type { Channel } from '../../../collector/protocol/channel.js';
import { DEFAULT_MAX_LINE_BYTES } from '../../../collector/tape/parser.js';
import { openTape } from '../../../collector/tape/reader.js';
import { TapeWriter } from '../../../collector/tape/writer.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'l2h-tapew-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

describe('TapeWriter', () => {
  test('writes exactly the CONTRACTS §1 text', async () => {
    const path = join(dir, 'a.tape');
    const writer = await TapeWriter.open(path, {
      headers: [
        ['symbols', 'AAPL'],
        ['l2', 'mbp'],
      ],
    });
    writer.write(0, 'L2', '7,AAPL,B,585.33,18,1,4,09:30:00.004241,2012-06-21,');
    writer.write(421, 'L2', '8,AAPL,B,585.32,18,1,4,09:30:00.004260,2012-06-21,');
    writer.write(421, 'ADMIN', 'S,STATS,\xe9\r');
    expect(writer.linesWritten).toBe(3);
    await writer.close();
    expect((await readFile(path)).toString('latin1')).toBe(
      '#l2tape 1\n#symbols AAPL\n#l2 mbp\n' +
        '0\tL2\t7,AAPL,B,585.33,18,1,4,09:30:00.004241,2012-06-21,\n' +
        '421\tL2\t8,AAPL,B,585.32,18,1,4,09:30:00.004260,2012-06-21,\n' +
        '421\tADMIN\tS,STATS,\xe9\r\n',
    );
  });

  test('offsets of every width are written as plain decimal digits', async () => {
    const path = join(dir, 'a.tape');
    const offsets = [0, 9, 10, 99, 100, 86_399_999_999, 1e15, Number.MAX_SAFE_INTEGER];
    const writer = await TapeWriter.open(path, { headers: [] });
    for (const offset of offsets) writer.write(offset, 'L1', 'x');
    await writer.close();
    expect((await readFile(path)).toString('latin1')).toBe(
      `#l2tape 1\n${offsets.map((o) => `${BigInt(o)}\tL1\tx\n`).join('')}`,
    );
  });

  test('gzip by suffix', async () => {
    const path = join(dir, 'a.tape.gz');
    const writer = await TapeWriter.open(path, { headers: [] });
    writer.write(5, 'L1', 'Q,AAPL');
    await writer.close();
    expect(gunzipSync(await readFile(path)).toString('latin1')).toBe('#l2tape 1\n5\tL1\tQ,AAPL\n');
  });

  test('the tape appears at its path only when closed; abort leaves nothing', async () => {
    const path = join(dir, 'a.tape');
    const writer = await TapeWriter.open(path, { headers: [] });
    writer.write(0, 'L1', 'x');
    await writer.drain();
    expect(await exists(path)).toBe(false);
    expect(await exists(`${path}.partial`)).toBe(true);
    await writer.close();
    expect(await exists(path)).toBe(true);
    expect(await exists(`${path}.partial`)).toBe(false);

    const other = join(dir, 'b.tape');
    const aborted = await TapeWriter.open(other, { headers: [] });
    aborted.write(0, 'L1', 'x');
    await aborted.abort();
    expect(await exists(other)).toBe(false);
    expect(await exists(`${other}.partial`)).toBe(false);
  });

  test('a line with \\n is refused with BAD_INPUT naming file and line', async () => {
    const path = join(dir, 'a.tape');
    const writer = await TapeWriter.open(path, { headers: [['k', 'v']] });
    writer.write(0, 'L1', 'fine');
    expect(() => writer.write(1, 'L1', 'two\nlines')).toThrow(
      expect.objectContaining({
        code: 'BAD_INPUT',
        context: expect.objectContaining({ file: path, line: 4, at: 3 }),
      }),
    );
    // Nothing of the refused line was written.
    await writer.close();
    expect((await readFile(path)).toString('latin1')).toBe('#l2tape 1\n#k v\n0\tL1\tfine\n');
  });

  test('chars that are not one byte, bad channels and bad offsets are refused', async () => {
    const writer = await TapeWriter.open(join(dir, 'a.tape'), { headers: [] });
    expect(() => writer.write(0, 'L1', 'euro €')).toThrow(/latin1/);
    expect(() => writer.write(0, 'L3' as Channel, 'x')).toThrow(/unknown channel "L3"/);
    expect(() => writer.write(-1, 'L1', 'x')).toThrow(/bad offset -1/);
    expect(() => writer.write(1.5, 'L1', 'x')).toThrow(/bad offset 1.5/);
    writer.write(10, 'L1', 'x');
    expect(() => writer.write(9, 'L1', 'x')).toThrow(/must not decrease: 9 after 10/);
    await writer.abort();
  });

  test('header keys and values that would not read back are refused', async () => {
    await expect(
      TapeWriter.open(join(dir, 'a.tape'), { headers: [['two words', 'x']] }),
    ).rejects.toMatchObject({
      code: 'BAD_INPUT',
    });
    await expect(TapeWriter.open(join(dir, 'a.tape'), { headers: [['l2tape', '2']] })).rejects.toMatchObject({
      code: 'BAD_INPUT',
    });
    await expect(TapeWriter.open(join(dir, 'a.tape'), { headers: [['k', 'a\nb']] })).rejects.toMatchObject({
      code: 'BAD_INPUT',
    });
  });

  test('write reports backpressure above the high-water mark and drain clears it', async () => {
    const writer = await TapeWriter.open(join(dir, 'a.tape'), {
      headers: [],
      highWaterMark: 64 * 1024,
      chunkBytes: 4096,
    });
    let refusedAt = -1;
    for (let i = 0; i < 100_000 && refusedAt < 0; i++) {
      if (!writer.write(i, 'L2', 'x'.repeat(100))) refusedAt = i;
    }
    expect(refusedAt).toBeGreaterThan(0);
    expect(writer.bufferedBytes).toBeGreaterThanOrEqual(64 * 1024);
    await writer.drain();
    expect(writer.bufferedBytes).toBe(0);
    await writer.close();
  });

  test('a line longer than a chunk is written whole', async () => {
    const path = join(dir, 'a.tape');
    const writer = await TapeWriter.open(path, { headers: [], chunkBytes: 4096 });
    const long = 'y'.repeat(100_000);
    writer.write(0, 'L1', 'a');
    writer.write(1, 'L1', long);
    writer.write(2, 'L1', 'b');
    await writer.close();
    expect((await readFile(path)).toString('latin1')).toBe(`#l2tape 1\n0\tL1\ta\n1\tL1\t${long}\n2\tL1\tb\n`);
  });

  test('writes the longest line a tape reader takes, and refuses a longer one, naming file and line', async () => {
    // A reader refuses a longer line as a binary file: a tape it could not read back is not written.
    const path = join(dir, 'a.tape');
    const writer = await TapeWriter.open(path, { headers: [] });
    const longest = 'y'.repeat(DEFAULT_MAX_LINE_BYTES);
    writer.write(0, 'L1', 'a');
    writer.write(1_340_285_410_000_000, 'ADMIN', longest);
    expect(() => writer.write(1_340_285_410_000_001, 'L1', `${longest}y`)).toThrow(
      expect.objectContaining({ code: 'BAD_INPUT', context: { file: path, line: 4 } }),
    );
    await writer.close();
    // The first read ends right before the long line's line feed: all of it but that is held.
    const reader = await openTape(path, { readChunkBytes: (await readFile(path)).length - 1 });
    const lines: string[] = [];
    for await (const batch of reader.batches()) for (const l of batch) lines.push(l.line);
    await reader.close();
    expect(lines.map((l) => l.length)).toEqual([1, DEFAULT_MAX_LINE_BYTES]);
  });

  test('refuses a header line the reader would refuse, and writes the longest one it reads back', async () => {
    const longest = 'v'.repeat(DEFAULT_MAX_LINE_BYTES - '#note '.length);
    await expect(
      TapeWriter.open(join(dir, 'over.tape'), { headers: [['note', `${longest}v`]] }),
    ).rejects.toThrow(
      expect.objectContaining({ code: 'BAD_INPUT', context: { file: join(dir, 'over.tape'), key: 'note' } }),
    );
    const path = join(dir, 'a.tape');
    const writer = await TapeWriter.open(path, { headers: [['note', longest]] });
    writer.write(0, 'L1', 'a');
    await writer.close();
    const reader = await openTape(path);
    expect(reader.header.get('note')).toBe(longest);
    await reader.close();
  });
});
