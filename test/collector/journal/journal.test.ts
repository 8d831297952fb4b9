import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { Journal, type JournalOptions } from '../../../collector/journal/journal.js';
import type { Channel } from '../../../collector/protocol/channel.js';
import { openTape } from '../../../collector/tape/reader.js';
import { ManualClock } from '../../../common/clock.js';
import { L2hError } from '../../../common/errors.js';
import { linesOf, readAllEntries, segmentNames, tempDir } from './helpers.js';

const T0 = Date.parse('2012-06-21T13:30:00Z') * 1000; // 09:30 EDT
let dir: string;
let cleanup: () => Promise<void>;
let clock: ManualClock;
const open: Journal[] = [];

beforeEach(async () => {
  ({ path: dir, cleanup } = await tempDir('journal'));
  clock = new ManualClock(T0);
});
afterEach(async () => {
  for (const j of open.splice(0)) await j.close().catch(() => undefined);
  await cleanup();
});

async function openJournal(options: Partial<JournalOptions> = {}): Promise<Journal> {
  const journal = await Journal.open({ dir, clock, ...options });
  open.push(journal);
  return journal;
}

describe('append and read back', () => {
  test('seq counts from 1; a segment is a valid tape with the journal headers', async () => {
    const j = await openJournal({
      headers: [
        ['symbols', 'AAPL'],
        ['l2', 'mbp'],
      ],
    });
    expect(j.resumed).toBe(false);
    expect(j.nextSeq).toBe(1);
    expect(j.append('L2', '7,AAPL,B,585.33,18,1,4,09:30:00.004241,2012-06-21,', T0 + 5)).toBe(1);
    expect(j.append('L1', 'Q,AAPL,585.33', T0 + 426)).toBe(2);
    expect(j.append('ADMIN', 'S,STATS', T0 + 426)).toBe(3);
    await j.close();

    const names = await segmentNames(j.sessionDir);
    expect(names).toEqual(['journal-000001.tape']);
    const text = await readFile(join(j.sessionDir, names[0]), 'latin1');
    expect(text).toBe(
      `#l2tape 1\n#session ${j.session}\n#seq-base 0\n#start-us ${T0 + 5}\n#symbols AAPL\n#l2 mbp\n` +
        '0\tL2\t7,AAPL,B,585.33,18,1,4,09:30:00.004241,2012-06-21,\n' +
        '421\tL1\tQ,AAPL,585.33\n' +
        '421\tADMIN\tS,STATS\n',
    );
    const reader = await openTape(join(j.sessionDir, names[0]));
    let n = 0;
    for await (const batch of reader.batches()) n += batch.length;
    expect(n).toBe(3);

    expect(await readAllEntries(j.sessionDir)).toEqual([
      {
        type: 'line',
        seq: 1,
        channel: 'L2',
        line: '7,AAPL,B,585.33,18,1,4,09:30:00.004241,2012-06-21,',
        receivedUs: T0 + 5,
      },
      { type: 'line', seq: 2, channel: 'L1', line: 'Q,AAPL,585.33', receivedUs: T0 + 426 },
      { type: 'line', seq: 3, channel: 'ADMIN', line: 'S,STATS', receivedUs: T0 + 426 },
    ]);
    const session = JSON.parse(await readFile(join(j.sessionDir, 'session.json'), 'utf8'));
    expect(session).toMatchObject({ session: j.session, startUs: T0 });
  });

  test('offsets never decrease when the wall clock steps back', async () => {
    const j = await openJournal();
    j.append('L2', 'a', T0 + 1000);
    j.append('L2', 'b', T0 + 500); // the clock stepped back
    j.append('L2', 'c', T0 + 1200);
    await j.close();
    const entries = await readAllEntries(j.sessionDir);
    expect(entries.map((e) => (e.type === 'line' ? e.receivedUs : -1))).toEqual([
      T0 + 1000,
      T0 + 1000,
      T0 + 1200,
    ]);
  });

  test('a line that a tape cannot hold is BAD_INPUT and takes no seq', async () => {
    const j = await openJournal();
    j.append('L1', 'ok', T0);
    expect(() => j.append('L1', 'a\nb', T0)).toThrow(expect.objectContaining({ code: 'BAD_INPUT' }));
    expect(() => j.append('L4' as Channel, 'x', T0)).toThrow(/unknown channel/);
    expect(j.append('L1', 'next', T0)).toBe(2);
    await j.close();
    expect(linesOf(await readAllEntries(j.sessionDir))).toEqual(['ok', 'next']);
  });

  test('a receive time that is not epoch microseconds is refused, not written', async () => {
    const j = await openJournal({ rotateByDay: false });
    expect(() => j.append('L1', 'x', Number.NaN)).toThrow(/receive time must be epoch microseconds/);
    j.append('L1', 'ok', T0);
    expect(() => j.append('L1', 'x', 1e300)).toThrow(/receive time must be epoch microseconds/);
    j.append('L1', 'clamped', Number.NaN); // within a segment, NaN is a step back: clamped
    await j.close();
    const entries = await readAllEntries(j.sessionDir);
    expect(entries.map((e) => (e.type === 'line' ? [e.line, e.receivedUs] : []))).toEqual([
      ['ok', T0],
      ['clamped', T0],
    ]);
  });

  test('reserved header keys and bad sizes are refused at open', async () => {
    await expect(openJournal({ headers: [['seq-base', '5']] })).rejects.toMatchObject({ code: 'BAD_USAGE' });
    await expect(openJournal({ rotateBytes: 0 })).rejects.toMatchObject({ code: 'BAD_USAGE' });
    await expect(openJournal({ session: '../escape' })).rejects.toMatchObject({ code: 'BAD_USAGE' });
  });

  test('one session cannot be opened twice at once', async () => {
    const j = await openJournal({ session: 'one' });
    await expect(Journal.open({ dir, clock, session: 'one' })).rejects.toMatchObject({ code: 'BAD_USAGE' });
    await j.close();
    const again = await openJournal({ session: 'one' });
    expect(again.resumed).toBe(true);
  });
});

describe('flush policy', () => {
  test('the timer makes appended lines durable flushIntervalMs after the first one', async () => {
    const j = await openJournal({ flushIntervalMs: 100 });
    const durable: number[] = [];
    j.onDurable((seq) => durable.push(seq));
    j.append('L2', 'a', T0);
    clock.advanceUs(50_000);
    j.append('L2', 'b', T0 + 50_000);
    clock.advanceUs(49_000);
    expect(j.durableSeq).toBe(0);
    expect(j.stats.syncs).toBe(0);
    clock.advanceUs(1_000); // 100 ms after the first append
    await j.waitDurable(2);
    expect(j.durableSeq).toBe(2);
    expect(durable).toEqual([2]);

    // Nothing new appended: the timer is not re-armed and no sync happens.
    const syncs = j.stats.syncs;
    clock.advanceUs(1_000_000);
    await j.flush();
    expect(j.stats.syncs).toBe(syncs);
  });

  test('flush() makes everything durable now', async () => {
    const j = await openJournal({ flushIntervalMs: 60_000 });
    for (let i = 0; i < 1000; i++) j.append('L2', `line ${i}`, T0 + i);
    expect(j.durableSeq).toBe(0);
    await j.flush();
    expect(j.durableSeq).toBe(1000);
    expect(j.bufferedBytes).toBe(0);
  });
});

describe('rotation', () => {
  test('by size: segments stay under rotateBytes and #seq-base continues the seq', async () => {
    const j = await openJournal({ rotateBytes: 400 });
    const lines = Array.from({ length: 60 }, (_, i) => `8,AAPL,B,585.${String(i).padStart(2, '0')},18`);
    for (const [i, line] of lines.entries()) j.append('L2', line, T0 + i * 10);
    await j.close();

    const names = await segmentNames(j.sessionDir);
    expect(names.length).toBeGreaterThan(5);
    let seqBase = 0;
    for (const name of names) {
      const path = join(j.sessionDir, name);
      expect((await readFile(path)).length).toBeLessThanOrEqual(400);
      const reader = await openTape(path);
      expect(Number(reader.header.get('seq-base'))).toBe(seqBase);
      let first = true;
      for await (const batch of reader.batches()) {
        for (const line of batch) {
          if (first) expect(line.offsetUs).toBe(0);
          first = false;
          expect(Number(reader.header.get('start-us')) + line.offsetUs).toBe(T0 + seqBase * 10);
          seqBase++;
        }
      }
    }
    expect(seqBase).toBe(60);
    const entries = await readAllEntries(j.sessionDir);
    expect(linesOf(entries)).toEqual(lines);
    expect(entries.map((e) => e.seq)).toEqual(lines.map((_, i) => i + 1));
  });

  test('by day: a new segment when the US Eastern date of the receive time changes', async () => {
    const beforeMidnight = Date.parse('2012-06-22T03:59:59.000Z') * 1000; // 23:59:59 EDT on the 21st
    const afterMidnight = Date.parse('2012-06-22T04:00:00.000Z') * 1000; // 00:00 EDT on the 22nd
    clock = new ManualClock(beforeMidnight);
    const j = await openJournal({ rotateBytes: 1 << 30 });
    j.append('L1', 'late 1', beforeMidnight);
    j.append('L1', 'late 2', afterMidnight - 1);
    j.append('L1', 'early 1', afterMidnight);
    j.append('L1', 'early 2', afterMidnight - 5); // clock stepped back: same segment, clamped offset
    j.append('L1', 'early 3', afterMidnight + 7);
    await j.close();

    const names = await segmentNames(j.sessionDir);
    expect(names).toEqual(['journal-000001.tape', 'journal-000002.tape']);
    const second = await openTape(join(j.sessionDir, names[1]));
    expect(second.header.get('start-us')).toBe(String(afterMidnight));
    expect(second.header.get('seq-base')).toBe('2');
    const offsets: number[] = [];
    for await (const batch of second.batches()) offsets.push(...batch.map((l) => l.offsetUs));
    expect(offsets).toEqual([0, 0, 7]);
    expect(linesOf(await readAllEntries(j.sessionDir))).toEqual([
      'late 1',
      'late 2',
      'early 1',
      'early 2',
      'early 3',
    ]);
  });

  test('rotateByDay: false keeps one segment across midnight', async () => {
    const j = await openJournal({ rotateByDay: false });
    j.append('L1', 'a', T0);
    j.append('L1', 'b', T0 + 24 * 3600 * 1_000_000);
    await j.close();
    expect(await segmentNames(j.sessionDir)).toEqual(['journal-000001.tape']);
  });
});

describe('connection events', () => {
  test('events merge with lines by seq: an event comes before the line with its seq', async () => {
    const j = await openJournal();
    expect(j.recordEvent({ event: 'connect', channel: 'L2', us: T0 })).toBe(1);
    j.append('L2', 'a', T0 + 1);
    j.append('L2', 'b', T0 + 2);
    expect(
      j.recordEvent({ event: 'disconnect', channel: 'L2', us: T0 + 3, reason: 'socket closed: ECONNRESET' }),
    ).toBe(3);
    expect(j.recordEvent({ event: 'connect', channel: 'L2', us: T0 + 4 })).toBe(3);
    j.append('L2', 'c', T0 + 5);
    expect(j.recordEvent({ event: 'disconnect', channel: 'L2', us: T0 + 6, reason: 'shutdown ✓' })).toBe(4);
    await j.close();

    const kinds = (await readAllEntries(j.sessionDir)).map((e) =>
      e.type === 'line' ? `${e.seq}:${e.line}` : `${e.seq}:${e.event}`,
    );
    expect(kinds).toEqual(['1:connect', '1:a', '2:b', '3:disconnect', '3:connect', '3:c', '4:disconnect']);

    const events = (await readFile(join(j.sessionDir, 'events.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(events[1]).toEqual({
      seq: 3,
      event: 'disconnect',
      channel: 'L2',
      us: T0 + 3,
      reason: 'socket closed: ECONNRESET',
    });
    expect(events[3].reason).toBe('shutdown ✓');

    // A range keeps the events that belong inside it.
    const middle = (await readAllEntries(j.sessionDir, { fromSeq: 2, toSeq: 3 })).map((e) =>
      e.type === 'line' ? `${e.seq}:${e.line}` : `${e.seq}:${e.event}`,
    );
    expect(middle).toEqual(['2:b', '3:disconnect', '3:connect', '3:c']);
  });
});

describe('resume', () => {
  test('reopening continues the seq in the same segment', async () => {
    const first = await openJournal({ session: 'day1', headers: [['symbols', 'AAPL']] });
    for (let i = 1; i <= 10; i++) first.append('L1', `a${i}`, T0 + i);
    await first.close();

    const second = await openJournal({ session: 'day1', headers: [['symbols', 'AAPL']] });
    expect(second.resumed).toBe(true);
    expect(second.nextSeq).toBe(11);
    expect(second.durableSeq).toBe(10);
    expect(second.append('L1', 'b11', T0 + 5)).toBe(11);
    await second.close();

    expect(await segmentNames(second.sessionDir)).toEqual(['journal-000001.tape']);
    const entries = await readAllEntries(second.sessionDir);
    expect(linesOf(entries)).toEqual([...Array.from({ length: 10 }, (_, i) => `a${i + 1}`), 'b11']);
    // The offset stays non-decreasing after the restart even though the time was earlier.
    expect(entries.at(-1)).toMatchObject({ seq: 11, receivedUs: T0 + 10 });
  });

  test('different headers on resume start a new segment', async () => {
    const first = await openJournal({ session: 's', headers: [['symbols', 'AAPL']] });
    first.append('L1', 'a', T0);
    await first.close();
    const second = await openJournal({ session: 's', headers: [['symbols', 'AAPL,MSFT']] });
    second.append('L1', 'b', T0 + 1);
    await second.close();
    expect(await segmentNames(second.sessionDir)).toEqual(['journal-000001.tape', 'journal-000002.tape']);
    const reader = await openTape(join(second.sessionDir, 'journal-000002.tape'));
    expect(reader.header.get('symbols')).toBe('AAPL,MSFT');
    expect(reader.header.get('seq-base')).toBe('1');
    await reader.close();
  });

  test('resumeLatest picks the most recently started session', async () => {
    const a = await openJournal({ session: 'older' });
    await a.close();
    clock.advanceUs(1_000_000);
    const b = await openJournal({ session: 'newer' });
    b.append('L1', 'x', T0);
    await b.close();
    const c = await openJournal({ resumeLatest: true });
    expect(c.session).toBe('newer');
    expect(c.nextSeq).toBe(2);
  });
});

describe('disk limit', () => {
  test('hitting maxBytes refuses appends loudly and keeps every line appended before', async () => {
    const j = await openJournal({ maxBytes: 2000 });
    const fatal: L2hError[] = [];
    j.onFatal((err) => fatal.push(err));
    let accepted = 0;
    let refusal: unknown = null;
    for (let i = 0; i < 1000 && refusal === null; i++) {
      try {
        j.append('L2', `line number ${i}`, T0 + i);
        accepted++;
      } catch (err) {
        refusal = err;
      }
    }
    expect(refusal).toBeInstanceOf(L2hError);
    expect(refusal).toMatchObject({ code: 'IO', context: { maxBytes: 2000, seq: accepted + 1 } });
    expect((refusal as L2hError).message).toMatch(/disk limit reached/);
    expect(j.state).toBe('full');
    expect(j.failure).toBe(refusal);
    expect(fatal).toEqual([refusal]);
    // Every later append is refused too, and counted.
    expect(() => j.append('L2', 'more', T0)).toThrow(/disk limit reached/);
    expect(j.stats.refusedAppends).toBe(2);
    expect(fatal).toHaveLength(1);

    await j.close();
    const entries = await readAllEntries(j.sessionDir);
    expect(entries).toHaveLength(accepted);
    expect(accepted).toBeGreaterThan(50);
    let onDisk = 0;
    for (const name of [...(await segmentNames(j.sessionDir)), 'events.jsonl']) {
      onDisk += (await readFile(join(j.sessionDir, name))).length;
    }
    expect(onDisk).toBeLessThanOrEqual(2000);
  });
});
