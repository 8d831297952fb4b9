/**
 * A tape whose file writes fail (disk full): every call that waits on the file must settle
 * with the write error, plain or gzip. `/dev/full` stands in for the full disk: the writer
 * opens `<path>.partial`, a symlink to it, and every write there fails with ENOSPC.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { access, mkdtemp, readdir, readlink, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { TapeWriter } from '../../../collector/tape/writer.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'l2h-tapefail-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Fail (rather than hang the run) when `promise` has not settled by the deadline. */
async function settled<T>(promise: Promise<T>, what: string, deadlineMs = 5_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} has not settled after ${deadlineMs} ms`)), deadlineMs);
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

async function onFullDisk(name: string): Promise<string> {
  const path = join(dir, name);
  await symlink('/dev/full', `${path}.partial`);
  return path;
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

/** This process's descriptors open on the full "disk": a failed tape must not keep one. */
async function fullDiskDescriptors(): Promise<string[]> {
  const fds: string[] = [];
  for (const fd of await readdir('/proc/self/fd')) {
    if ((await readlink(`/proc/self/fd/${fd}`).catch(() => '')) === '/dev/full') fds.push(fd);
  }
  return fds;
}

/** Descriptors on the full disk opened since `before` (a test that failed earlier may have left some). */
async function newFullDiskDescriptors(before: readonly string[]): Promise<string[]> {
  return (await fullDiskDescriptors()).filter((fd) => !before.includes(fd));
}

const ENOSPC = { code: 'IO', message: expect.stringMatching(/ENOSPC/) };

describe.skipIf(!existsSync('/dev/full') || !existsSync('/proc/self/fd'))('TapeWriter on a full disk', () => {
  test.each(['a.tape', 'a.tape.gz'])('%s: close() rejects with the write error', async (name) => {
    const path = await onFullDisk(name);
    const before = await fullDiskDescriptors();
    const writer = await TapeWriter.open(path, { headers: [['symbols', 'AAPL']] });
    for (let i = 0; i < 100; i++)
      writer.write(i, 'L2', `8,AAPL,B,585.${i},18,1,4,09:30:00.004241,2012-06-21,`);
    await expect(settled(writer.close(), 'close()')).rejects.toMatchObject(ENOSPC);
    expect(await exists(path)).toBe(false);
    expect(await newFullDiskDescriptors(before)).toEqual([]);
  });

  test.each(['a.tape', 'a.tape.gz'])(
    '%s: drain() under backpressure rejects with the write error',
    async (name) => {
      const path = await onFullDisk(name);
      const writer = await TapeWriter.open(path, {
        headers: [],
        chunkBytes: 1 << 16,
        highWaterMark: 1 << 20,
      });
      // Incompressible lines, so gzip has more output than it buffers once the file stops taking it.
      const drained = (async () => {
        for (let i = 0; i < 100_000; i++) {
          if (!writer.write(i, 'L2', randomBytes(60).toString('hex'))) await writer.drain();
        }
      })();
      await expect(settled(drained, 'drain()')).rejects.toMatchObject(ENOSPC);
      await settled(writer.abort(), 'abort()');
    },
  );

  test.each(['a.tape', 'a.tape.gz'])(
    '%s: abort() of a failing tape settles and leaves nothing',
    async (name) => {
      const path = await onFullDisk(name);
      const before = await fullDiskDescriptors();
      const writer = await TapeWriter.open(path, { headers: [], chunkBytes: 1 << 16 });
      for (let i = 0; i < 20_000; i++) writer.write(i, 'L2', randomBytes(60).toString('hex'));
      await settled(writer.abort(), 'abort()');
      expect(await newFullDiskDescriptors(before)).toEqual([]);
      expect(await exists(`${path}.partial`)).toBe(false);
      expect(await exists(path)).toBe(false);
    },
  );
});
