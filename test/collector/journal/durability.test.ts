/**
 * What the journal reports durable, and in which order it touches the disk, observed through
 * a file layer that wraps the real one and can hold an operation until the test releases it.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { Journal } from '../../../collector/journal/journal.js';
import { ManualClock } from '../../../common/clock.js';
import type { L2hError } from '../../../common/errors.js';
import { GatedFs, readAllEntries, tempDir, until } from './helpers.js';

const T0 = Date.parse('2012-06-21T13:30:00Z') * 1000;
let dir: string;
let cleanup: () => Promise<void>;
let clock: ManualClock;
let fs: GatedFs;

beforeEach(async () => {
  ({ path: dir, cleanup } = await tempDir('durable'));
  clock = new ManualClock(T0);
  fs = new GatedFs();
});
afterEach(async () => {
  fs.release('write');
  fs.release('datasync');
  await cleanup();
});

describe('durableSeq', () => {
  test('advances only once the fdatasync covering the lines has returned', async () => {
    const j = await Journal.open({ dir, clock, fs, flushIntervalMs: 100 });
    const reported: number[] = [];
    j.onDurable((seq) => reported.push(seq));
    fs.hold('datasync');
    for (let i = 1; i <= 5; i++) j.append('L2', `line ${i}`, T0 + i);
    clock.advanceUs(100_000); // the flush timer fires: write, then fdatasync (held)

    await until(() => fs.waiting === 1, 'the fdatasync to start');
    expect(fs.log).toContain('write journal-000001.tape 4\tL2\tline 5');
    // Written to the file, but not yet synced: not durable.
    expect(j.durableSeq).toBe(0);
    expect(reported).toEqual([]);
    const onDisk = await readFile(join(j.sessionDir, 'journal-000001.tape'), 'latin1');
    expect(onDisk).toContain('line 5');

    fs.release('datasync');
    await j.waitDurable(5);
    expect(j.durableSeq).toBe(5);
    expect(reported).toEqual([5]);
    await j.close();
  });

  test('a line appended while an fdatasync runs is not covered by it', async () => {
    const j = await Journal.open({ dir, clock, fs });
    fs.hold('datasync');
    j.append('L2', 'first', T0);
    const flushed = j.flush();
    await until(() => fs.waiting === 1, 'the fdatasync to start');
    j.append('L2', 'second', T0 + 1);
    fs.release('datasync');
    await flushed;
    expect(j.durableSeq).toBe(1);
    await j.flush();
    expect(j.durableSeq).toBe(2);
    await j.close();
  });
});

describe('events are durable in order', () => {
  test('lines before an event are synced before it, lines after it are written after its sync', async () => {
    const j = await Journal.open({ dir, clock, fs, flushIntervalMs: 100 });
    j.append('L2', 'before 1', T0);
    j.append('L2', 'before 2', T0 + 1);
    fs.hold('datasync');
    j.recordEvent({ event: 'disconnect', channel: 'L2', us: T0 + 2, reason: 'reset' });
    j.append('L2', 'after 1', T0 + 3);
    clock.advanceUs(100_000);
    j.append('L2', 'after 2', T0 + 4);
    const flushed = j.flush();

    // While the sync of the lines before the event is held, neither the event nor a later
    // line reaches a file.
    await until(() => fs.waiting === 1, 'the first fdatasync');
    expect(await readFile(join(j.sessionDir, 'events.jsonl'), 'utf8')).toBe('');
    expect(await readFile(join(j.sessionDir, 'journal-000001.tape'), 'latin1')).not.toContain('after 1');

    fs.release('datasync');
    await flushed;
    const order = fs.log.filter((l) => !l.startsWith('open'));
    expect(order).toEqual([
      'write journal-000001.tape 1\tL2\tbefore 2',
      'datasync-start journal-000001.tape',
      'datasync-done journal-000001.tape',
      'write events.jsonl {"seq":3,"event":"disconnect","channel":"L2","us":' +
        (T0 + 2) +
        ',"reason":"reset"}',
      'datasync-start events.jsonl',
      'datasync-done events.jsonl',
      // the flush timer's write and sync
      'write journal-000001.tape 3\tL2\tafter 1',
      'datasync-start journal-000001.tape',
      'datasync-done journal-000001.tape',
      // flush()'s
      'write journal-000001.tape 4\tL2\tafter 2',
      'datasync-start journal-000001.tape',
      'datasync-done journal-000001.tape',
    ]);
    await j.close();
    const seqs = (await readAllEntries(j.sessionDir)).map((e) => `${e.type}${e.seq}`);
    expect(seqs).toEqual(['line1', 'line2', 'event3', 'line3', 'line4']);
  });
});

describe('backpressure', () => {
  test('congested above the high-water mark; whenUncongested resolves once writes catch up', async () => {
    const j = await Journal.open({ dir, clock, fs, highWaterBytes: 64 * 1024, writeChunkBytes: 8 * 1024 });
    fs.hold('write');
    let n = 0;
    while (!j.congested) j.append('L2', 'x'.repeat(200), T0 + n++);
    expect(j.bufferedBytes).toBeGreaterThan(64 * 1024);
    let resumed = false;
    const waiting = j.whenUncongested().then(() => {
      resumed = true;
    });
    await until(() => fs.waiting === 1, 'the first write to be held');
    expect(resumed).toBe(false);
    fs.release('write');
    await waiting;
    expect(j.congested).toBe(false);
    expect(j.bufferedBytes).toBeLessThanOrEqual(32 * 1024);
    await j.close();
    expect(await readAllEntries(j.sessionDir)).toHaveLength(n);
  });
});

describe('I/O failure', () => {
  test('a failed fdatasync fails the journal loudly; nothing more is reported durable', async () => {
    const j = await Journal.open({ dir, clock, fs });
    const fatal: L2hError[] = [];
    j.onFatal((err) => fatal.push(err));
    j.append('L2', 'a', T0);
    fs.failDatasync = Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' });
    await expect(j.flush()).rejects.toMatchObject({ code: 'IO' });
    expect(j.state).toBe('failed');
    expect(j.durableSeq).toBe(0);
    expect(fatal).toHaveLength(1);
    expect(fatal[0].message).toMatch(/journal I\/O failed/);
    expect(() => j.append('L2', 'b', T0)).toThrow(/journal I\/O failed/);
    expect(j.stats.refusedAppends).toBe(1);
    await expect(j.close()).rejects.toMatchObject({ code: 'IO' });
    expect(fs.openFiles).toEqual([]);
  });

  test('close() after a failed fdatasync still closes the segment and events.jsonl', async () => {
    const j = await Journal.open({ dir, clock, fs });
    for (let i = 1; i <= 10; i++) j.append('L2', `line ${i}`, T0 + i);
    // The fdatasync of the segment's close fails: the rejected close() must not leave it open.
    fs.failDatasync = Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' });
    await expect(j.close()).rejects.toMatchObject({ code: 'IO', message: expect.stringMatching(/EIO/) });
    expect(fs.openFiles).toEqual([]);
    // The session is unlocked and resumes, with what reached the file.
    fs.failDatasync = null;
    const again = await Journal.open({ dir, clock, fs, session: j.session });
    expect(again.nextSeq).toBe(11);
    await again.close();
    expect(fs.openFiles).toEqual([]);
  });
});

describe('group commit', () => {
  test('durableSeq advances right after a turn of appends, without waiting for the timer', async () => {
    const j = await Journal.open({ dir, clock, fs, flushIntervalMs: 60_000, groupCommit: true });
    const reported: number[] = [];
    j.onDurable((seq) => reported.push(seq));
    // The clock never moves: only the group commit can make these durable.
    for (let i = 1; i <= 3; i++) j.append('L2', `line ${i}`, T0 + i);
    expect(j.durableSeq).toBe(0);
    await until(() => j.durableSeq === 3, 'the group commit');
    // One fdatasync for the whole turn, not one per line.
    expect(fs.log.filter((l) => l.startsWith('datasync-start'))).toHaveLength(1);
    expect(reported).toEqual([3]);
    await j.close();
  });

  test('one fdatasync at a time: what arrives while it runs goes in the next one, as soon as it returns', async () => {
    const j = await Journal.open({ dir, clock, fs, flushIntervalMs: 60_000, groupCommit: true });
    const reported: number[] = [];
    j.onDurable((seq) => reported.push(seq));
    fs.hold('datasync');
    j.append('L2', 'a', T0);
    await until(() => fs.waiting === 1, 'the first fdatasync to start');
    j.append('L2', 'b', T0 + 1);
    await new Promise((resolve) => setImmediate(resolve));
    j.append('L2', 'c', T0 + 2);
    await new Promise((resolve) => setImmediate(resolve));
    // Still the first fdatasync only: the later lines wait for it to return, none is durable.
    expect(fs.log.filter((l) => l.startsWith('datasync-start'))).toHaveLength(1);
    expect(j.durableSeq).toBe(0);
    fs.release('datasync');
    await until(() => j.durableSeq === 3, 'the second group commit');
    expect(reported).toEqual([1, 3]);
    const order = fs.log.filter((l) => !l.startsWith('open'));
    expect(order).toEqual([
      'write journal-000001.tape 0\tL2\ta',
      'datasync-start journal-000001.tape',
      'datasync-done journal-000001.tape',
      'write journal-000001.tape 2\tL2\tc',
      'datasync-start journal-000001.tape',
      'datasync-done journal-000001.tape',
    ]);
    await j.close();
    expect((await readAllEntries(j.sessionDir)).map((e) => (e.type === 'line' ? e.line : e.type))).toEqual([
      'a',
      'b',
      'c',
    ]);
  });

  test('events keep their order with group commit', async () => {
    const j = await Journal.open({ dir, clock, fs, groupCommit: true });
    j.append('L2', 'before', T0);
    j.recordEvent({ event: 'disconnect', channel: 'L2', us: T0 + 1, reason: 'reset' });
    j.append('L2', 'after', T0 + 2);
    await until(() => j.durableSeq === 2, 'the lines to be durable');
    await j.close();
    expect((await readAllEntries(j.sessionDir)).map((e) => `${e.type}${e.seq}`)).toEqual([
      'line1',
      'event2',
      'line2',
    ]);
  });
});
