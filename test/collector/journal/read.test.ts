import { existsSync } from 'node:fs';
import { appendFile, readdir, readFile, readlink, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { Journal } from '../../../collector/journal/journal.js';
import {
  type DurableProgress,
  followJournal,
  type JournalEntry,
  readJournal,
} from '../../../collector/journal/read.js';
import { ManualClock } from '../../../common/clock.js';
import { GatedFs, linesOf, readAllEntries, segmentNames, tempDir, until } from './helpers.js';

const T0 = Date.parse('2012-06-21T13:30:00Z') * 1000;
let dir: string;
let cleanup: () => Promise<void>;
let clock: ManualClock;

beforeEach(async () => {
  ({ path: dir, cleanup } = await tempDir('read'));
  clock = new ManualClock(T0);
});
afterEach(async () => {
  await cleanup();
});

/** This process's descriptors open on `path` (Linux). */
async function openDescriptorsOf(path: string): Promise<string[]> {
  const fds: string[] = [];
  for (const fd of await readdir('/proc/self/fd')) {
    const target = await readlink(`/proc/self/fd/${fd}`).catch(() => '');
    if (target === path) fds.push(fd);
  }
  return fds;
}

async function journalOf(count: number, rotateBytes = 300): Promise<Journal> {
  const j = await Journal.open({ dir, clock, session: 's', rotateBytes });
  for (let i = 1; i <= count; i++) j.append('L1', `line ${i}`, T0 + i);
  await j.close();
  return j;
}

describe('readJournal', () => {
  test('fromSeq and toSeq select lines across segments', async () => {
    const j = await journalOf(100);
    expect((await segmentNames(j.sessionDir)).length).toBeGreaterThan(5);
    for (const [from, to] of [
      [1, 100],
      [37, 64],
      [100, 100],
      [50, 49],
      [95, undefined],
      [101, undefined],
    ] as const) {
      const entries = await readAllEntries(j.sessionDir, { fromSeq: from, toSeq: to, batchSize: 7 });
      const last = to ?? 100;
      expect(entries.map((e) => e.seq)).toEqual(
        Array.from({ length: Math.max(0, last - from + 1) }, (_, i) => from + i),
      );
      expect(linesOf(entries)).toEqual(entries.map((e) => `line ${e.seq}`));
    }
  });

  test('batches hold at most batchSize lines', async () => {
    const j = await journalOf(100, 1 << 20);
    const sizes: number[] = [];
    for await (const batch of readJournal(j.sessionDir, { batchSize: 16 })) {
      sizes.push(batch.length);
    }
    expect(Math.max(...sizes)).toBeLessThanOrEqual(16);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(100);
  });

  test('a torn last line that nobody recovered yet is not read', async () => {
    const j = await journalOf(5, 1 << 20);
    await appendFile(join(j.sessionDir, 'journal-000001.tape'), '6\tL1\tline 6 torn');
    expect(linesOf(await readAllEntries(j.sessionDir))).toEqual([
      'line 1',
      'line 2',
      'line 3',
      'line 4',
      'line 5',
    ]);
  });

  test('a malformed line is BAD_INPUT naming segment and line', async () => {
    const j = await journalOf(5, 1 << 20);
    const path = join(j.sessionDir, 'journal-000001.tape');
    const text = await readFile(path, 'latin1');
    await writeFile(path, text.replace('\tline 3\n', '\tline 3\nnonsense\n'), 'latin1');
    await expect(readAllEntries(j.sessionDir)).rejects.toMatchObject({
      code: 'BAD_INPUT',
      context: { file: path, line: 8 },
    });
  });

  test.skipIf(!existsSync('/proc/self/fd'))(
    'a malformed line skipped over to reach fromSeq is BAD_INPUT, and the segment is closed',
    async () => {
      const j = await journalOf(5, 1 << 20);
      const path = join(j.sessionDir, 'journal-000001.tape');
      const text = await readFile(path, 'latin1');
      await writeFile(path, text.replace('\tline 2\n', '\tline 2\nnonsense\n'), 'latin1');
      await expect(readAllEntries(j.sessionDir, { fromSeq: 4 })).rejects.toMatchObject({
        code: 'BAD_INPUT',
        context: { file: path, line: 7 },
      });
      expect(await openDescriptorsOf(path)).toEqual([]);
    },
  );

  test('a missing segment is a seq gap, reported as BAD_INPUT', async () => {
    const j = await journalOf(100);
    const names = await segmentNames(j.sessionDir);
    await rm(join(j.sessionDir, names[2]));
    await expect(readAllEntries(j.sessionDir)).rejects.toMatchObject({
      code: 'BAD_INPUT',
      message: expect.stringMatching(/journal-000003.tape is missing/),
    });
  });

  test('a segment whose #seq-base does not continue the seq is BAD_INPUT', async () => {
    const j = await journalOf(100);
    const path = join(j.sessionDir, (await segmentNames(j.sessionDir))[2]);
    const text = await readFile(path, 'latin1');
    await writeFile(
      path,
      text.replace(/#seq-base (\d+)/, (_, n) => `#seq-base ${Number(n) + 1}`),
      'latin1',
    );
    await expect(readAllEntries(j.sessionDir)).rejects.toMatchObject({
      code: 'BAD_INPUT',
      message: expect.stringMatching(/do not line up/),
      context: { file: path },
    });
  });
});

describe('lines longer than 4 MiB', () => {
  // The feed cuts an oversized line into pieces as long as --max-line-kb (4 MiB by default, any
  // size allowed) and journals them: the journal must read them back and resume past them. A
  // reader that took a long unfinished line for a corrupt file failed on an 8 MiB piece always,
  // and on a 4 MiB one when a read ended in its last bytes; recovery then cut the segment there.
  const MiB = 1024 * 1024;
  const READ = 64 * 1024; // the segment cursor's read size

  async function write(session: string, pad: number, piece: number): Promise<string> {
    const j = await Journal.open({ dir, clock, session });
    j.append('L2', 'x'.repeat(pad), T0 + 1);
    j.append('L2', 'y'.repeat(piece), T0 + 2);
    for (let i = 1; i <= 100; i++)
      j.append('L2', `8,AAPL,B,585.${i},18,1,4,09:30:00.004241,2012-06-21,`, T0 + 2 + i);
    await j.close();
    return j.sessionDir;
  }

  for (const { piece, aligned } of [
    { piece: 4 * MiB, aligned: true },
    { piece: 6 * MiB, aligned: false },
  ]) {
    test(`a ${piece / MiB} MiB line${aligned ? ' whose last bytes straddle a read' : ''} reads back and survives a resume`, async () => {
      let pad = 100;
      if (aligned) {
        // Place the long line so that a read ends a few bytes before its line feed (the probe's
        // session name is as long as the real one: the segment header holds it).
        const probe = await readFile(join(await write('p', pad, piece), 'journal-000001.tape'), 'latin1');
        const start = probe.indexOf('\n', probe.indexOf('\tL2\t')) + 1;
        const lineEnd = probe.indexOf('\n', start);
        pad += Math.ceil((lineEnd - 2) / READ) * READ - (lineEnd - 2);
      }
      const sessionDir = await write('s', pad, piece);
      const entries = await readAllEntries(sessionDir);
      expect(
        linesOf(entries)
          .map((l) => l.length)
          .slice(0, 2),
      ).toEqual([pad, piece]);
      expect(entries).toHaveLength(102);
      const resumed = await Journal.open({ dir, clock, session: 's' });
      expect(resumed.nextSeq).toBe(103);
      await resumed.close();
      expect(linesOf(await readAllEntries(sessionDir))).toEqual(linesOf(entries));
    });
  }
});

describe('followJournal', () => {
  test('reads only durable lines, waits for more, and ends when the journal closes', async () => {
    const fs = new GatedFs();
    const j = await Journal.open({
      dir,
      clock,
      fs,
      session: 'live',
      rotateBytes: 400,
      flushIntervalMs: 60_000,
    });
    // The journal as the follower sees it, plus a way to make the follower look again even
    // though nothing became durable, and a count of the times it finished looking.
    let poke = (): void => undefined;
    let looks = 0;
    const source: DurableProgress = {
      sessionDir: j.sessionDir,
      get durableSeq() {
        return j.durableSeq;
      },
      get durableEventBytes() {
        return j.durableEventBytes;
      },
      get finished() {
        return j.finished;
      },
      changed: () => {
        looks++;
        return Promise.race([j.changed(), new Promise<void>((resolve) => (poke = resolve))]);
      },
    };
    const seen: JournalEntry[] = [];
    const violations: string[] = [];
    const follower = (async () => {
      for await (const batch of followJournal(source, { batchSize: 8 })) {
        for (const e of batch) {
          if (e.type === 'line' && e.seq > j.durableSeq) violations.push(`line ${e.seq} read before durable`);
          seen.push(e);
        }
      }
    })();
    const linesSeen = () => seen.filter((e) => e.type === 'line').length;

    j.recordEvent({ event: 'connect', channel: 'L1', us: T0 });
    for (let i = 1; i <= 30; i++) j.append('L1', `line ${i}`, T0 + i);
    await j.flush();
    await until(() => linesSeen() === 30, 'the first 30 lines');

    // Lines 31…40 reach the file, but their fdatasync is held: the follower must not read them.
    fs.hold('datasync');
    for (let i = 31; i <= 40; i++) j.append('L1', `line ${i}`, T0 + i);
    const flushed = j.flush();
    await until(() => fs.waiting === 1, 'the write, with its fdatasync held');
    expect(
      await readFile(join(j.sessionDir, (await segmentNames(j.sessionDir)).at(-1)!), 'latin1'),
    ).toContain('line 40');
    const before = looks;
    poke();
    await until(() => looks > before, 'the follower to look again');
    expect(linesSeen()).toBe(30);
    fs.release('datasync');
    await flushed;
    await until(() => linesSeen() === 40, 'lines 31…40 once durable');

    j.recordEvent({ event: 'disconnect', channel: 'L1', us: T0 + 41, reason: 'EOF' });
    await until(
      () => seen.some((e) => e.type === 'event' && e.event === 'disconnect'),
      'the disconnect event',
    );
    for (let i = 41; i <= 60; i++) j.append('L1', `line ${i}`, T0 + i);
    await j.close();
    await follower;

    expect(violations).toEqual([]);
    expect(seen.map((e) => (e.type === 'line' ? e.seq : `${e.event}@${e.seq}`))).toEqual([
      'connect@1',
      ...Array.from({ length: 40 }, (_, i) => i + 1),
      'disconnect@41',
      ...Array.from({ length: 20 }, (_, i) => i + 41),
    ]);
    expect((await segmentNames(j.sessionDir)).length).toBeGreaterThan(2);
  });

  test('starts from a checkpoint in a later segment and stops at toSeq', async () => {
    const j = await Journal.open({ dir, clock, session: 'live', rotateBytes: 300 });
    for (let i = 1; i <= 50; i++) j.append('L1', `line ${i}`, T0 + i);
    await j.flush();
    const seen: number[] = [];
    for await (const batch of followJournal(j, { fromSeq: 33, toSeq: 45 }))
      seen.push(...batch.map((e) => e.seq));
    expect(seen).toEqual(Array.from({ length: 13 }, (_, i) => 33 + i));
    await j.close();
  });

  test('an abort signal ends a follower that is waiting', async () => {
    const j = await Journal.open({ dir, clock, session: 'live' });
    j.append('L1', 'only', T0);
    await j.flush();
    const controller = new AbortController();
    const seen: number[] = [];
    const follower = (async () => {
      for await (const batch of followJournal(j, { signal: controller.signal }))
        seen.push(...batch.map((e) => e.seq));
    })();
    await until(() => seen.length === 1, 'the first line');
    controller.abort();
    await follower;
    expect(seen).toEqual([1]);
    await j.close();
  });
});
