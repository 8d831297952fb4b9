import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import type { Channel } from '../../../collector/protocol/channel.js';
import { PARSE_PIECE_BYTES, parseTapeText } from '../../../collector/tape/parser.js';
import { openTape, type TapeLine, type TapeReader } from '../../../collector/tape/reader.js';
import { TapeWriter } from '../../../collector/tape/writer.js';
import { L2hError } from '../../../common/errors.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'l2h-tape-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function readAll(reader: TapeReader): Promise<TapeLine[]> {
  const out: TapeLine[] = [];
  for await (const batch of reader.batches()) out.push(...batch);
  return out;
}

/** Open and read; a malformed header fails the open, a malformed body the read. */
async function readTape(path: string, options?: { maxLineBytes?: number }): Promise<TapeLine[]> {
  return readAll(await openTape(path, options));
}

/** Every byte value except `\n`, plus the characters feed lines really carry. */
const awkward = [
  'S,SERVER CONNECTED',
  '7,AAPL,B,585.33,18,1,4,09:30:00.004241,2012-06-21,',
  'tab\tinside\tthe\tline',
  'carriage return at the end\r',
  '\r\r',
  '',
  Array.from({ length: 256 }, (_, b) => (b === 10 ? '' : String.fromCharCode(b))).join(''),
  '#not a header: this is a body line text',
];

describe('round trip', () => {
  for (const name of ['day.tape', 'day.tape.gz']) {
    test(`${name}: headers and every line come back byte for byte`, async () => {
      const path = join(dir, name);
      const channels: Channel[] = ['L1', 'L2', 'ADMIN'];
      const writer = await TapeWriter.open(path, {
        headers: [
          ['source', 'synthetic seed 7'],
          ['symbols', 'AAPL,MSFT'],
          ['l2', 'AAPL=mbp,MSFT=mbo'],
          ['flag', ''],
        ],
      });
      const written: { offsetUs: number; channel: Channel; line: string }[] = [];
      for (let i = 0; i < 5000; i++) {
        const row = {
          offsetUs: i * 7 - (i % 3 === 0 ? 0 : 0),
          channel: channels[i % 3],
          line: awkward[i % awkward.length],
        };
        writer.write(row.offsetUs, row.channel, row.line);
        written.push(row);
      }
      await writer.close();

      const reader = await openTape(path, { batchSize: 333 });
      expect(reader.header.version).toBe(1);
      expect(reader.header.entries).toEqual([
        ['source', 'synthetic seed 7'],
        ['symbols', 'AAPL,MSFT'],
        ['l2', 'AAPL=mbp,MSFT=mbo'],
        ['flag', ''],
      ]);
      expect(reader.header.get('l2')).toBe('AAPL=mbp,MSFT=mbo');
      expect(reader.header.get('flag')).toBe('');
      expect(reader.header.get('missing')).toBeUndefined();
      expect(reader.stats.gzip).toBe(name.endsWith('.gz'));
      const lines = await readAll(reader);
      expect(lines.map(({ offsetUs, channel, line }) => ({ offsetUs, channel, line }))).toEqual(written);
      // Line numbers count the 5 header lines.
      expect(lines[0].lineNo).toBe(6);
      expect(lines.at(-1)?.lineNo).toBe(5005);
    });
  }

  test('gzip is recognised by its magic bytes, whatever the name', async () => {
    const gzAsPlainName = join(dir, 'a.tape');
    const writer = await TapeWriter.open(gzAsPlainName, { headers: [], gzip: true });
    writer.write(0, 'L1', 'Q,AAPL,1');
    await writer.close();
    const bytes = await readFile(gzAsPlainName);
    expect([bytes[0], bytes[1]]).toEqual([0x1f, 0x8b]);
    expect((await readAll(await openTape(gzAsPlainName))).map((l) => l.line)).toEqual(['Q,AAPL,1']);

    const plainAsGzName = join(dir, 'b.tape.gz');
    await writeFile(plainAsGzName, '#l2tape 1\n0\tL1\tQ,MSFT,2\n');
    expect((await readAll(await openTape(plainAsGzName))).map((l) => l.line)).toEqual(['Q,MSFT,2']);
  });

  test('a header-only tape has no lines', async () => {
    const path = join(dir, 'empty.tape');
    await writeFile(path, '#l2tape 1\n#symbols AAPL\n');
    const reader = await openTape(path);
    expect(reader.header.get('symbols')).toBe('AAPL');
    expect(await readAll(reader)).toEqual([]);
  });

  test('CRLF header lines are accepted, body lines keep their \\r', async () => {
    const path = join(dir, 'crlf.tape');
    await writeFile(path, '#l2tape 1\r\n#symbols AAPL\r\n0\tL2\tS,KEY\r\n');
    const reader = await openTape(path);
    expect(reader.header.get('symbols')).toBe('AAPL');
    expect((await readAll(reader)).map((l) => l.line)).toEqual(['S,KEY\r']);
  });
});

describe('streaming', () => {
  test('a 1M-line tape is read with at most one batch of lines in flight', async () => {
    const path = join(dir, 'big.tape');
    const writer = await TapeWriter.open(path, { headers: [['symbols', 'AAPL']], fsync: false });
    const total = 1_000_000;
    for (let i = 0; i < total; i++) {
      if (!writer.write(i, 'L2', `8,AAPL,B,585.${i % 100},18,1,4,09:30:00.004241,2012-06-21,`))
        await writer.drain();
    }
    await writer.close();
    const fileBytes = (await readFile(path)).length;

    const batchSize = 1000;
    const reader = await openTape(path, { batchSize });
    let seen = 0;
    let bytesReadAtFirstBatch = -1;
    let expectedOffset = 0;
    for await (const batch of reader.batches()) {
      if (bytesReadAtFirstBatch < 0) bytesReadAtFirstBatch = reader.stats.bytesRead;
      expect(reader.stats.linesInFlight).toBe(batch.length);
      for (const line of batch) expect(line.offsetUs).toBe(expectedOffset++);
      seen += batch.length;
    }
    expect(seen).toBe(total);
    const stats = reader.stats;
    expect(stats.linesRead).toBe(total);
    expect(stats.linesInFlight).toBe(0);
    expect(stats.maxLinesInFlight).toBeLessThanOrEqual(batchSize);
    // The first batch came after reading a couple of MiB at most, not the whole file…
    expect(bytesReadAtFirstBatch).toBeLessThanOrEqual(2 << 20);
    expect(fileBytes).toBeGreaterThan(40 << 20);
    // …and the parser never held more text than one piece of a read plus one line.
    expect(stats.maxBufferedChars).toBeLessThanOrEqual(PARSE_PIECE_BYTES + 1024);
  });

  for (const name of ['pieces.tape', 'pieces.tape.gz']) {
    test(`${name}: lines across the pieces of a read, and lines longer than a piece, come back whole`, async () => {
      const path = join(dir, name);
      const writer = await TapeWriter.open(path, { headers: [['symbols', 'AAPL']], fsync: false });
      // Lengths from 0 to ~3 pieces, so that line ends fall everywhere relative to the piece and
      // read boundaries, and some lines span several pieces.
      const rows: string[] = [];
      for (let i = 0, len = 0; i < 400; i++, len = (len * 7 + 1237) % (3 * PARSE_PIECE_BYTES + 17)) {
        const text = `${i},${'x'.repeat(len)}\r`;
        rows.push(text);
        if (!writer.write(i, 'L2', text)) await writer.drain();
      }
      await writer.close();
      const text = name.endsWith('.gz')
        ? gunzipSync(await readFile(path)).toString('latin1')
        : await readFile(path, 'latin1');
      const expected = parseTapeText(text).lines;
      const reader = await openTape(path);
      const lines = await readAll(reader);
      expect(lines).toEqual(expected);
      expect(lines.map((l) => l.line)).toEqual(rows);
      // The parser held the longest line whole at some point: the stat says so.
      expect(reader.stats.maxBufferedChars).toBeGreaterThan(Math.max(...rows.map((r) => r.length)));
    });
  }

  for (const name of ['small-reads.tape', 'small-reads.tape.gz']) {
    test(`${name}: small reads (readChunkBytes) give the same lines and hold only a small read of text`, async () => {
      const path = join(dir, name);
      const writer = await TapeWriter.open(path, { headers: [['symbols', 'AAPL']], fsync: false });
      const rows = Array.from(
        { length: 20_000 },
        (_, i) => `8,AAPL,B,585.${i % 100},${i},1,4,09:30:00.004241,2012-06-21,`,
      );
      for (let i = 0; i < rows.length; i++)
        if (!writer.write(i * 3, i % 2 ? 'L1' : 'L2', rows[i])) await writer.drain();
      await writer.close();
      const bulk = await readTape(path);
      const reader = await openTape(path, { batchSize: 256, readChunkBytes: 4096 });
      const small = await readAll(reader);
      expect(small).toEqual(bulk);
      expect(small.map((l) => l.line)).toEqual(rows);
      expect(reader.stats.maxLinesInFlight).toBeLessThanOrEqual(256);
      // One read of text plus the partial line it ended in, not a MiB.
      expect(reader.stats.maxBufferedChars).toBeLessThanOrEqual(4096 + 1024);
    });
  }

  test('readChunkBytes must be a positive integer', async () => {
    const path = join(dir, 'x.tape');
    await writeFile(path, '#l2tape 1\n');
    await expect(openTape(path, { readChunkBytes: 0 })).rejects.toThrow(
      /readChunkBytes must be a positive integer, got 0/,
    );
  });

  test('breaking out of the loop closes the file', async () => {
    const path = join(dir, 'x.tape');
    const writer = await TapeWriter.open(path, { headers: [] });
    for (let i = 0; i < 100; i++) writer.write(i, 'L1', `line ${i}`);
    await writer.close();
    const reader = await openTape(path, { batchSize: 10 });
    for await (const batch of reader.batches()) {
      expect(batch).toHaveLength(10);
      break;
    }
    await reader.close();
    await expect(async () => {
      for await (const _ of reader.batches()) {
        // a second iteration is a programming error
      }
    }).rejects.toThrow(/iterated once/);
  });
});

describe('malformed tapes name file, line and what was expected', () => {
  const cases: { name: string; text: string | Buffer; line: number; message: RegExp }[] = [
    { name: 'empty file', text: '', line: 1, message: /not a tape: the file is empty, expected "#l2tape 1"/ },
    {
      name: 'no magic line',
      text: '#symbols AAPL\n0\tL1\tx\n',
      line: 1,
      message: /not a tape.*expected "#l2tape 1"/,
    },
    { name: 'wrong version', text: '#l2tape 2\n0\tL1\tx\n', line: 1, message: /unsupported tape version 2/ },
    {
      name: 'one TAB only',
      text: '#l2tape 1\n0\tL1\tok\n5\tL1 missing tab\n',
      line: 3,
      message: /<offset_us> TAB <channel> TAB <line>/,
    },
    { name: 'no TAB', text: '#l2tape 1\njunk\n', line: 2, message: /<offset_us> TAB <channel> TAB <line>/ },
    {
      name: 'empty body line',
      text: '#l2tape 1\n0\tL1\tx\n\n',
      line: 3,
      message: /<offset_us> TAB <channel> TAB <line>/,
    },
    {
      name: 'offset not digits',
      text: '#l2tape 1\n0\tL1\tx\n1e3\tL1\ty\n',
      line: 3,
      message: /bad offset "1e3": expected whole microseconds/,
    },
    { name: 'negative offset', text: '#l2tape 1\n-1\tL1\tx\n', line: 2, message: /bad offset "-1"/ },
    { name: 'empty offset', text: '#l2tape 1\n\tL1\tx\n', line: 2, message: /bad offset ""/ },
    { name: 'huge offset', text: '#l2tape 1\n99999999999999999\tL1\tx\n', line: 2, message: /bad offset/ },
    {
      name: 'decreasing offset',
      text: '#l2tape 1\n10\tL1\tx\n9\tL1\ty\n',
      line: 3,
      message: /offsets must not decrease: 9 after 10/,
    },
    {
      name: 'unknown channel',
      text: '#l2tape 1\n0\tL3\tx\n',
      line: 2,
      message: /unknown channel "L3": expected L1, L2 or ADMIN/,
    },
    { name: 'lower-case channel', text: '#l2tape 1\n0\tl2\tx\n', line: 2, message: /unknown channel "l2"/ },
    {
      name: 'header after body',
      text: '#l2tape 1\n0\tL1\tx\n#symbols AAPL\n',
      line: 3,
      message: /"#" header line after body lines/,
    },
    {
      name: 'unterminated last line',
      text: '#l2tape 1\n0\tL1\tx\n5\tL1\tcut sho',
      line: 3,
      message: /ends in the middle of a line/,
    },
  ];
  for (const c of cases) {
    test(c.name, async () => {
      const path = join(dir, 'bad.tape');
      await writeFile(path, c.text);
      const error = await readTape(path).then(
        () => null,
        (err: unknown) => err,
      );
      expect(error).toBeInstanceOf(L2hError);
      const e = error as L2hError;
      expect(e.code).toBe('BAD_INPUT');
      expect(e.message).toMatch(c.message);
      expect(e.context.file).toBe(path);
      expect(e.context.line).toBe(c.line);
      expect(e.describe()).toContain(`line=${c.line}`);
    });
  }

  test('the same errors come from a gzip tape', async () => {
    const path = join(dir, 'bad.tape.gz');
    await writeFile(path, gzipSync('#l2tape 1\n0\tL1\tx\n0\tFOO\ty\n'));
    await expect(readTape(path)).rejects.toMatchObject({
      code: 'BAD_INPUT',
      context: { file: path, line: 3 },
    });
  });

  test('a truncated gzip tape is BAD_INPUT naming the file', async () => {
    const path = join(dir, 'cut.tape.gz');
    const whole = gzipSync(
      `#l2tape 1\n${Array.from({ length: 2000 }, (_, i) => `${i}\tL1\tline ${i}`).join('\n')}\n`,
    );
    await writeFile(path, whole.subarray(0, Math.floor(whole.length / 2)));
    const error = await readTape(path).catch((err: unknown) => err);
    expect(error).toMatchObject({ code: 'BAD_INPUT', context: { file: path } });
    expect((error as Error).message).toMatch(/gzip tape is corrupt or truncated/);
  });

  test('a missing file is BAD_INPUT, not a crash', async () => {
    const path = join(dir, 'nope.tape');
    await expect(openTape(path)).rejects.toMatchObject({ code: 'BAD_INPUT', context: { file: path } });
  });

  test('a binary file without line feeds is refused once a line grows too long', async () => {
    const path = join(dir, 'blob.tape');
    await writeFile(path, Buffer.concat([Buffer.from('#l2tape 1\n0\tL1\t'), Buffer.alloc(3 << 20, 0x41)]));
    await expect(readTape(path, { maxLineBytes: 1 << 20 })).rejects.toMatchObject({
      code: 'BAD_INPUT',
      context: { file: path, line: 2 },
    });
  });
});

describe('parseTapeText', () => {
  test('parses a tape held in memory with the same rules', () => {
    const { header, lines } = parseTapeText('#l2tape 1\n#l2 mbp\n0\tL2\ta\n3\tADMIN\tb\tc\n', 'mem.tape');
    expect(header.get('l2')).toBe('mbp');
    expect(lines).toEqual([
      { offsetUs: 0, channel: 'L2', line: 'a', lineNo: 3 },
      { offsetUs: 3, channel: 'ADMIN', line: 'b\tc', lineNo: 4 },
    ]);
    expect(() => parseTapeText('#l2tape 1\n0\tL2\ta', 'mem.tape')).toThrow(/ends in the middle of a line/);
  });
});
