import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { Command } from 'commander';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeStream, decodeTapeFile, registerDecode } from '../../../cli/commands/decode.js';
import { L2hError } from '../../../common/errors.js';

/** Collects what is written, as text. */
class Sink extends Writable {
  text = '';
  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    this.text += chunk.toString('latin1');
    done();
  }
}

const parseLines = (text: string): unknown[] =>
  text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as unknown);

const dir = mkdtempSync(join(tmpdir(), 'l2h-decode-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('l2h decode on a byte stream', () => {
  it('prints one JSON object per line, messages and errors, whatever the chunking', async () => {
    const bytes = Buffer.from(
      '7,IBM,B,180.1000,300,2,4,09:30:00.5,2024-06-21,\r\n8,IBM,Q,1,1,1,4,,,\r\nS,SERVER CONNECTED\r\nO',
      'latin1',
    );
    const chunks = [bytes.subarray(0, 5), bytes.subarray(5, 49), bytes.subarray(49, 50), bytes.subarray(50)];
    const out = new Sink();
    const summary = await decodeStream(Readable.from(chunks), 'L2', out);
    expect(summary).toEqual({ lines: 4, errors: 1, firstErrorLine: 2 });
    const [first, second, third, fourth] = parseLines(out.text);
    expect(first).toEqual({
      Type: '7',
      Symbol: 'IBM',
      Side: 'B',
      Price: 180.1,
      Size: 300,
      'Order Count': 2,
      Precision: 4,
      Time: '09:30:00.5',
      Date: '2024-06-21',
    });
    expect(second).toMatchObject({ channel: 'L2', field: 'Side', index: 2, expected: 'A or B', got: 'Q' });
    expect(third).toEqual({ Type: 'S', 'System Type': 'SERVER CONNECTED' });
    expect(fourth).toEqual({ Type: 'O' });
  });

  it('L1 starts from --fields and follows the field list the stream announces', async () => {
    const input = 'P,IBM,1.5,2.5,\nS,CURRENT UPDATE FIELDNAMES,Symbol,Ask\nQ,IBM,2.75,\n';
    const out = new Sink();
    await decodeStream(Readable.from([Buffer.from(input)]), 'L1', out, { fields: ['Symbol', 'Bid', 'Ask'] });
    const lines = parseLines(out.text);
    expect(lines[0]).toEqual({ Type: 'P', Symbol: 'IBM', Bid: 1.5, Ask: 2.5 });
    expect(lines[2]).toEqual({ Type: 'Q', Symbol: 'IBM', Ask: 2.75 });
  });
});

describe('l2h decode --tape', () => {
  const tape = [
    '#l2tape 1',
    '#date 2024-06-21',
    '0\tL1\tS,CURRENT UPDATE FIELDNAMES,Symbol,Bid',
    '10\tL2\t8,IBM,A,180.2,100,1,4,09:30:00.000001,2024-06-21,',
    '20\tL1\tQ,IBM,180.1,',
    '30\tADMIN\tS,AUTOCONNECT ON,',
    '40\tL2\t8,IBM,A,oops,100,1,4,,,',
    '',
  ].join('\n');

  it('decodes each line with the decoder of its own channel', async () => {
    for (const [name, content] of [
      ['day.tape', Buffer.from(tape)],
      ['day.tape.gz', gzipSync(Buffer.from(tape))],
    ] as const) {
      const path = join(dir, name);
      writeFileSync(path, content);
      const out = new Sink();
      const summary = await decodeTapeFile(path, out);
      expect(summary).toEqual({ lines: 5, errors: 1, firstErrorLine: 7 });
      const lines = parseLines(out.text);
      expect(lines[1]).toMatchObject({ Type: '8', Price: 180.2 });
      expect(lines[2]).toEqual({ Type: 'Q', Symbol: 'IBM', Bid: 180.1 });
      expect(lines[3]).toEqual({ Type: 'S', 'System Type': 'AUTOCONNECT ON' });
      expect(lines[4]).toMatchObject({ field: 'Price', got: 'oops' });
    }
  });
});

describe('l2h decode usage', () => {
  const run = async (...args: string[]): Promise<unknown> => {
    const program = new Command().exitOverride();
    registerDecode(program);
    try {
      await program.parseAsync(['node', 'l2h', 'decode', ...args]);
      return null;
    } catch (err) {
      return err;
    }
  };

  it('needs exactly one of --channel and --tape', async () => {
    const none = await run();
    expect(none).toBeInstanceOf(L2hError);
    expect(none).toMatchObject({ code: 'BAD_USAGE', message: expect.stringContaining('--channel') });
    expect(await run('--channel', 'L1', '--tape', 'x.tape')).toMatchObject({ code: 'BAD_USAGE' });
  });

  it('names a bad channel', async () => {
    expect(await run('--channel', 'L3')).toMatchObject({
      code: 'BAD_USAGE',
      message: expect.stringContaining('L3'),
    });
  });

  it('says plainly when the tape does not exist', async () => {
    expect(await run('--tape', join(dir, 'missing.tape'))).toMatchObject({ code: 'BAD_INPUT' });
  });
});
