/** Resuming a session after a crash: torn tails are cut (and kept aside), the seq carries on. */
import { appendFile, readdir, readFile, stat, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { Journal } from '../../../collector/journal/journal.js';
import { openTape } from '../../../collector/tape/reader.js';
import { ManualClock } from '../../../common/clock.js';
import { linesOf, readAllEntries, segmentNames, snapshotSession, tempDir } from './helpers.js';

const T0 = Date.parse('2012-06-21T13:30:00Z') * 1000;
let dir: string;
let cleanup: () => Promise<void>;
let clock: ManualClock;

beforeEach(async () => {
  ({ path: dir, cleanup } = await tempDir('recover'));
  clock = new ManualClock(T0);
});
afterEach(async () => {
  await cleanup();
});

const lineText = (i: number) =>
  `8,AAPL,B,585.${String(i % 100).padStart(2, '0')},18,1,4,09:30:00.004241,2012-06-21,`;

async function journalWith(
  count: number,
  options: { rotateBytes?: number; session?: string } = {},
): Promise<Journal> {
  const j = await Journal.open({
    dir,
    clock,
    session: options.session ?? 'crash',
    rotateBytes: options.rotateBytes,
  });
  for (let i = 1; i <= count; i++) j.append('L2', lineText(i), T0 + i);
  await j.close();
  return j;
}

/** Byte position where body line `n` (1-based) starts in a segment. */
async function lineStart(path: string, n: number): Promise<number> {
  const text = await readFile(path, 'latin1');
  let pos = 0;
  let body = 0;
  while (pos < text.length) {
    if (text[pos] !== '#' && ++body === n) return pos;
    pos = text.indexOf('\n', pos) + 1;
  }
  throw new Error(`no line ${n}`);
}

async function recoveredFiles(sessionDir: string): Promise<string[]> {
  return readdir(join(sessionDir, 'recovered')).catch(() => []);
}

describe('resume after a crash', () => {
  test('a line torn mid-way is cut off, kept aside, and its seq is given to the next line', async () => {
    const j = await journalWith(100);
    const segment = join(j.sessionDir, 'journal-000001.tape');
    const cut = (await lineStart(segment, 60)) + 17; // in the middle of line 60
    const tornTail = (await readFile(segment)).subarray(cut - 17, cut);
    await truncate(segment, cut);

    const resumed = await Journal.open({ dir, clock, session: 'crash' });
    expect(resumed.nextSeq).toBe(60);
    expect(resumed.durableSeq).toBe(59);
    expect((await stat(segment)).size).toBe(cut - 17);
    const kept = await recoveredFiles(j.sessionDir);
    expect(kept).toHaveLength(1);
    expect(await readFile(join(j.sessionDir, 'recovered', kept[0]))).toEqual(tornTail);

    expect(resumed.append('L2', 'after restart', T0 + 1000)).toBe(60);
    await resumed.close();
    const lines = linesOf(await readAllEntries(j.sessionDir));
    expect(lines).toHaveLength(60);
    expect(lines.slice(0, 59)).toEqual(Array.from({ length: 59 }, (_, i) => lineText(i + 1)));
    expect(lines[59]).toBe('after restart');
    // The repaired segment is still a valid tape.
    const reader = await openTape(segment);
    let n = 0;
    for await (const batch of reader.batches()) n += batch.length;
    expect(n).toBe(60);
  });

  test('a cut exactly at a line boundary loses nothing that was complete', async () => {
    const j = await journalWith(10);
    const segment = join(j.sessionDir, 'journal-000001.tape');
    await truncate(segment, await lineStart(segment, 8));
    const resumed = await Journal.open({ dir, clock, session: 'crash' });
    expect(resumed.nextSeq).toBe(8);
    expect(await recoveredFiles(j.sessionDir)).toEqual([]);
    await resumed.close();
  });

  test('a segment torn inside its header is removed; the seq continues from the one before', async () => {
    const j = await journalWith(40, { rotateBytes: 1000 });
    const names = await segmentNames(j.sessionDir);
    expect(names.length).toBeGreaterThan(2);
    const last = join(j.sessionDir, names.at(-1)!);
    const reader = await openTape(last);
    const seqBase = Number(reader.header.get('seq-base'));
    await reader.close();
    await truncate(last, 30); // inside "#session …"

    const resumed = await Journal.open({ dir, clock, session: 'crash', rotateBytes: 1000 });
    expect(resumed.nextSeq).toBe(seqBase + 1);
    expect(await segmentNames(j.sessionDir)).toEqual(names.slice(0, -1));
    // Too long for the segment before: it goes into a new one, which takes the freed index.
    const long = 'n'.repeat(900);
    expect(resumed.append('L2', long, T0 + 999)).toBe(seqBase + 1);
    await resumed.close();
    expect(await segmentNames(j.sessionDir)).toEqual(names);
    const lines = linesOf(await readAllEntries(j.sessionDir));
    expect(lines).toHaveLength(seqBase + 1);
    expect(lines.at(-1)).toBe(long);
  });

  test('a newest segment whose header blocks were left zeroed is removed like a torn one', async () => {
    const j = await journalWith(40, { rotateBytes: 1000 });
    const names = await segmentNames(j.sessionDir);
    const last = join(j.sessionDir, names.at(-1)!);
    const bytes = await readFile(last);
    bytes.fill(0, 0, 64);
    await writeFile(last, bytes);
    const reader = await openTape(join(j.sessionDir, names.at(-2)!));
    const lines: number[] = [];
    for await (const batch of reader.batches()) lines.push(...batch.map((l) => l.lineNo));
    const resumed = await Journal.open({ dir, clock, session: 'crash' });
    expect(resumed.nextSeq).toBe(Number(reader.header.get('seq-base')) + lines.length + 1);
    expect(await segmentNames(j.sessionDir)).toEqual(names.slice(0, -1));
    expect(await recoveredFiles(j.sessionDir)).toHaveLength(1);
    await resumed.close();
  });

  test('damage before the end cuts from the damaged line on, keeping the rest aside', async () => {
    const j = await journalWith(50);
    const segment = join(j.sessionDir, 'journal-000001.tape');
    const bytes = await readFile(segment);
    const at = await lineStart(segment, 30);
    bytes.fill(0, at, at + 40); // zeroed blocks, as a crash can leave in the unsynced region
    await writeFile(segment, bytes);

    const resumed = await Journal.open({ dir, clock, session: 'crash' });
    expect(resumed.nextSeq).toBe(30);
    const kept = await recoveredFiles(j.sessionDir);
    expect(kept).toHaveLength(1);
    expect((await readFile(join(j.sessionDir, 'recovered', kept[0]))).length).toBe(bytes.length - at);
    await resumed.close();
  });

  test('what was only buffered in memory is gone; what was flushed survives', async () => {
    const j = await Journal.open({ dir, clock, session: 'live', flushIntervalMs: 60_000 });
    for (let i = 1; i <= 100; i++) j.append('L2', lineText(i), T0 + i);
    await j.flush();
    for (let i = 101; i <= 150; i++) j.append('L2', lineText(i), T0 + i);
    // The machine stops now: copy the disk state while the journal still runs.
    const crashed = join(dir, 'after-crash');
    await snapshotSession(j.sessionDir, crashed);
    await j.close();

    const resumed = await Journal.open({ dir: crashed, clock, session: 'live' });
    expect(resumed.nextSeq).toBe(101);
    await resumed.close();
  });

  test('a torn event line is cut; events past the surviving lines are cut too', async () => {
    const j = await Journal.open({ dir, clock, session: 'ev' });
    j.recordEvent({ event: 'connect', channel: 'L2', us: T0 });
    for (let i = 1; i <= 10; i++) j.append('L2', lineText(i), T0 + i);
    j.recordEvent({ event: 'disconnect', channel: 'L2', us: T0 + 11 });
    await j.close();
    const events = join(j.sessionDir, 'events.jsonl');
    await appendFile(events, '{"seq":11,"event":"conn');
    const segment = join(j.sessionDir, 'journal-000001.tape');

    // First: only the torn event line goes.
    let resumed = await Journal.open({ dir, clock, session: 'ev' });
    expect(resumed.nextSeq).toBe(11);
    await resumed.close();
    expect((await readFile(events, 'utf8')).trim().split('\n')).toHaveLength(2);

    // Then: lines 6…10 lost, so the disconnect at seq 11 describes a moment that is gone.
    await truncate(segment, await lineStart(segment, 6));
    resumed = await Journal.open({ dir, clock, session: 'ev' });
    expect(resumed.nextSeq).toBe(6);
    await resumed.close();
    const kinds = (await readAllEntries(j.sessionDir)).map((e) =>
      e.type === 'event' ? `${e.seq}:${e.event}` : `${e.seq}`,
    );
    expect(kinds).toEqual(['1:connect', '1', '2', '3', '4', '5']);
  });
});
