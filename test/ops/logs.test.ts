import { appendFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { follow, formatLogLine, lastLines } from '../../ops/log-follow.js';
import { rotateIfLarge } from '../../ops/log-rotation.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'l2h-logs-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

async function waitFor(what: string, cond: () => boolean, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('log rotation by size', () => {
  it('leaves a small log alone', async () => {
    const log = join(dir, 'c.log');
    await writeFile(log, 'a\n');
    expect(await rotateIfLarge(log, { maxBytes: 10, keep: 3 })).toBe(false);
  });

  it('copies to .1, shifts older ones, keeps at most N, and empties the log', async () => {
    const log = join(dir, 'c.log');
    for (let round = 1; round <= 4; round++) {
      await writeFile(log, `round ${round}\n`.repeat(10));
      expect(await rotateIfLarge(log, { maxBytes: 50, keep: 2 })).toBe(true);
      expect(await readFile(log, 'utf8')).toBe('');
    }
    expect(await readFile(`${log}.1`, 'utf8')).toBe('round 4\n'.repeat(10));
    expect(await readFile(`${log}.2`, 'utf8')).toBe('round 3\n'.repeat(10));
    await expect(readFile(`${log}.3`, 'utf8')).rejects.toThrow(/ENOENT/);
  });
});

describe('reading the log', () => {
  it('prints the last N lines without reading from before a given byte', async () => {
    const log = join(dir, 'c.log');
    const lines = Array.from({ length: 5000 }, (_, i) => `line ${i}`);
    await writeFile(log, `${lines.join('\n')}\n`);
    expect(await lastLines(log, 3)).toEqual(['line 4997', 'line 4998', 'line 4999']);
    const from = Buffer.byteLength(`${lines.slice(0, 4998).join('\n')}\n`);
    expect(await lastLines(log, 10, from)).toEqual(['line 4998', 'line 4999']);
    expect(await lastLines(join(dir, 'missing.log'), 3)).toEqual([]);
  });

  it('follows appended lines, and after a rotation carries on from the start of the emptied log', async () => {
    const log = join(dir, 'c.log');
    await writeFile(log, 'old\n');
    const seen: string[] = [];
    const abort = new AbortController();
    const done = follow({ path: log, everyMs: 20, signal: abort.signal, onLine: (l) => seen.push(l) });
    await new Promise((r) => setTimeout(r, 60));
    await appendFile(log, 'one\ntw');
    await waitFor('line one', () => seen.includes('one'));
    await appendFile(log, 'o\n');
    await waitFor('line two', () => seen.includes('two'));
    await appendFile(log, 'x'.repeat(100) + '\n');
    await waitFor('the long line', () => seen.length === 3);
    expect(await rotateIfLarge(log, { maxBytes: 50, keep: 2 })).toBe(true);
    await new Promise((r) => setTimeout(r, 60));
    await appendFile(log, 'after rotation\n');
    await waitFor('the line after rotation', () => seen.includes('after rotation'));
    abort.abort();
    await done;
    expect(seen).toEqual(['one', 'two', 'x'.repeat(100), 'after rotation']);
  });

  it('keeps a character whole when it straddles a 64 KiB block read backwards', async () => {
    const log = join(dir, 'c.log');
    const mid = '{"level":30,"time":0,"msg":"symbol café"}';
    // 65532 bytes after "é"'s first byte: the last 64 KiB block starts at its second byte.
    const tail = `${'x'.repeat(65531)}\n`;
    const file = Buffer.from(`{"msg":"filler"}\n${mid}\n${tail}`);
    expect(file[file.length - 65536 - 1]).toBe(0xc3);
    await writeFile(log, file);
    expect(await lastLines(log, 2)).toEqual([mid, 'x'.repeat(65531)]);
  });

  it('keeps a character whole when it straddles a 1 MiB read while following', async () => {
    const log = join(dir, 'c.log');
    await writeFile(log, '');
    const seen: string[] = [];
    const abort = new AbortController();
    const done = follow({
      path: log,
      from: 0,
      everyMs: 20,
      signal: abort.signal,
      onLine: (l) => seen.push(l),
    });
    // "€" is 3 bytes; its first byte is the last of the first 1 MiB read.
    const first = `${'x'.repeat((1 << 20) - 1)}€`;
    await appendFile(log, `${first}\nnext €\n`);
    await waitFor('both lines', () => seen.length === 2);
    abort.abort();
    await done;
    expect(seen[0]?.slice(-3)).toBe('xx€');
    expect(seen[0]?.length).toBe(first.length);
    expect(seen[1]).toBe('next €');
  });

  it('shows pino lines as time, level, message and fields, other lines as they are', () => {
    const line = JSON.stringify({
      level: 40,
      time: Date.UTC(2024, 5, 21, 13, 30),
      pid: 1,
      name: 'collect',
      sink: 'redis',
      msg: 'sink write failed; retrying',
    });
    expect(formatLogLine(line)).toBe('2024-06-21T13:30:00.000Z WARN  sink write failed; retrying sink=redis');
    expect(formatLogLine('error: unknown option')).toBe('error: unknown option');
  });
});
