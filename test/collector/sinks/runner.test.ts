import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readCheckpoint } from '../../../collector/journal/checkpoints.js';
import { GatedFs } from '../journal/helpers.js';
import { day, derivedLines, expectAllWritten, jsonlLines, MiniCollector } from './helpers.js';

let root = '';
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'l2h-runner-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

/** Poll a condition (no fixed sleeps), yielding to timers and I/O between looks. */
async function until(cond: () => boolean, what: string, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

describe('SinkRunner', () => {
  it('writes every record once the journal has its line, then checkpoints it', async () => {
    const d = day(3, 3000);
    const c = await MiniCollector.open(root, d.options, { batchSize: 200 });
    c.connect(d.startUs);
    for (const l of d.lines) {
      c.append(l, d.startUs);
      // A record never reaches the sink before its journal line is durable.
      expect(c.runner.checkpoint).toBeLessThanOrEqual(c.journal.durableSeq);
    }
    await expectAllWritten(c);
    expect(await readCheckpoint(c.journal.sessionDir, 'jsonl')).toBe(c.journal.nextSeq - 1);
    expect(c.runner.counters.catchUps).toBe(0);
  });

  it('holds a backlog past its initial places without overflowing, and writes it all once the sink is back', async () => {
    const d = day(13, 12_000);
    const c = await MiniCollector.open(root, d.options, { queueCapacity: 100_000, batchSize: 500 });
    c.connect(d.startUs);
    c.sink.hold();
    let maxDepth = 0;
    await c.feed(d.lines, d.startUs, 200, () => {
      maxDepth = Math.max(maxDepth, c.runner.status().queueDepth);
    });
    c.sink.release();
    await expectAllWritten(c);
    // The queue starts with 4096 places: it grew to hold the backlog, and nothing overflowed.
    expect(maxDepth).toBeGreaterThan(4096);
    expect(c.runner.counters.overflows).toBe(0);
  });

  it('leaves live mode when its queue overflows, catches up from the journal, and rejoins with no gap or duplicate', async () => {
    const d = day(5, 8000);
    const capacity = 150;
    const c = await MiniCollector.open(root, d.options, { queueCapacity: capacity, batchSize: 40 });
    c.connect(d.startUs);
    const modes = new Set<string>();
    let maxDepth = 0;
    c.sink.hold();
    await c.feed(d.lines, d.startUs, 50, (i) => {
      const s = c.runner.status();
      maxDepth = Math.max(maxDepth, s.queueDepth);
      modes.add(s.mode);
      if (i === 3000) {
        // The sink is stuck, the feed went on: the queue stayed bounded and the sink fell out of live mode.
        expect(c.runner.counters.overflows).toBeGreaterThan(0);
        c.sink.release();
      }
    });
    expect(maxDepth).toBeLessThanOrEqual(capacity);
    expect(modes.has('catch-up')).toBe(true);
    expect(await c.finish()).toBe(true);
    expect(c.runner.counters.catchUps).toBeGreaterThan(0);
    expect(c.runner.status().mode).toBe('closed');
    const expected = await derivedLines(c.journal.sessionDir);
    const written = await jsonlLines(c.dataDir);
    expect(written.length).toBe(expected.length);
    expect(written).toEqual(expected);
  });

  it('catches up in whole batches: a journal read yields fewer records than a batch, and the rest waits for the next read', async () => {
    const d = day(7, 30_000);
    const batchSize = 5000; // the catch-up reads 5000 lines at a time, which make fewer records
    const c = await MiniCollector.open(root, d.options, { queueCapacity: 150, batchSize });
    c.connect(d.startUs);
    // Batch sizes per catch-up (the sink may catch up more than once, as the feed overtakes it again).
    const catchUpBatches: number[][] = [];
    c.sink.onWrite = (batch) => {
      if (c.runner.status().mode !== 'catch-up') return;
      const n = c.runner.counters.catchUps;
      while (catchUpBatches.length < n) catchUpBatches.push([]);
      catchUpBatches[n - 1]!.push(batch.length);
    };
    c.sink.hold();
    await c.feed(d.lines, d.startUs, 50);
    c.sink.release();
    await expectAllWritten(c);
    expect(c.runner.counters.catchUps).toBeGreaterThan(0);
    expect(catchUpBatches.flat().length).toBeGreaterThan(2);
    // Every batch of a catch-up but its last is whole (one line's records are never split, so a batch may hold a few more).
    for (const sizes of catchUpBatches)
      for (const n of sizes.slice(0, -1)) expect(n).toBeGreaterThanOrEqual(batchSize);
  });

  it('catches up again when its queue overflows while the last caught-up batch is being written', async () => {
    // The catch-up decided to hand over to the queue, then waited on the sink for its last batch
    // while the feed overfilled that queue: the records the queue dropped must come from the
    // journal, not be claimed by the next checkpoint.
    const d = day(8, 4000);
    const c = await MiniCollector.open(root, d.options, { queueCapacity: 150, batchSize: 5000 });
    c.connect(d.startUs);
    let holdCatchUp = true;
    c.sink.onWrite = () => {
      if (holdCatchUp && c.runner.status().mode === 'catch-up') c.sink.hold();
    };
    c.sink.hold();
    for (const l of d.lines.slice(0, 2000)) c.append(l, d.startUs);
    await until(() => c.runner.counters.overflows === 1, 'the first overflow');
    c.sink.release(); // the live write that was waiting; then the catch-up runs and hands over
    await until(() => c.sink.inFlight > 0 && c.runner.status().mode === 'catch-up', 'the hand-over write');
    holdCatchUp = false;
    await c.feed(d.lines.slice(2000), d.startUs, 50);
    expect(c.runner.counters.overflows).toBe(2);
    c.sink.release();
    await expectAllWritten(c);
  });

  it('catches up from what the sink acknowledged, not from the checkpoint file that trails it: no record is sent twice', async () => {
    const d = day(13, 6000);
    // The checkpoint file is written at most once a minute here, idle or not: it stays behind
    // every batch until the drain.
    const c = await MiniCollector.open(root, d.options, {
      queueCapacity: 150,
      batchSize: 40,
      checkpointEveryMs: 60_000,
      idleCheckpointMs: 60_000,
    });
    c.connect(d.startUs);
    const seen = new Set<string>();
    let again = 0;
    c.sink.onWrite = (batch) => {
      for (const r of batch) {
        const key = `${r.seq}/${r.kind}/${r.symbol}`;
        if (seen.has(key)) again++;
        seen.add(key);
      }
    };
    // Live batches go out and are acknowledged first: a few lines at a time, each step written
    // before the next (a condition, not a pace: otherwise the feed may outrun the sink before any
    // batch was acknowledged, and the catch-up would start from 0 either way).
    const live = 1500;
    for (let i = 0; i < live; i += 20) {
      for (const l of d.lines.slice(i, i + 20)) c.append(l, d.startUs);
      await until(() => c.runner.status().queueDepth === 0 && c.sink.inFlight === 0, 'a live batch');
    }
    expect(c.sink.writes).toBeGreaterThan(0);
    expect(c.runner.counters.overflows).toBe(0);
    expect(c.runner.checkpoint).toBe(0);
    // Then the feed outruns the sink, and it catches up.
    for (const l of d.lines.slice(live)) c.append(l, d.startUs);
    expect(c.runner.counters.overflows).toBeGreaterThan(0);
    await expectAllWritten(c);
    expect(c.runner.counters.catchUps).toBeGreaterThan(0);
    expect(c.runner.status().written).toBeGreaterThan(0);
    expect(again).toBe(0);
  });

  it('rejoins live mode while the feed keeps running', async () => {
    const d = day(6, 12_000);
    const c = await MiniCollector.open(root, d.options, { queueCapacity: 1000, batchSize: 200 });
    c.connect(d.startUs);
    c.sink.hold();
    let rejoinedAt = -1;
    let writtenBefore = 0;
    for (const [i, l] of d.lines.entries()) {
      c.append(l, d.startUs);
      if (i === 3000) {
        expect(c.runner.status().mode).toBe('catch-up');
        c.sink.release();
        writtenBefore = c.runner.status().written;
      }
      if (i > 3000 && rejoinedAt < 0 && c.runner.status().mode === 'live') rejoinedAt = i;
      if (i % 10 !== 0) continue;
      if (i > 3000 && rejoinedAt < 0) {
        // Slower than the sink, as a healthy sink is: ten lines, then a batch written, until it
        // rejoins. A timer pace made this a race with fdatasync and the catch-up's CPU: with
        // fdatasyncs of 100 ms the feed outran what the catch-up could read and it never rejoined.
        await until(
          () => c.runner.status().written > writtenBefore || c.runner.status().mode === 'live',
          'a catch-up batch or the rejoin',
          10_000,
        );
        writtenBefore = c.runner.status().written;
      } else if (rejoinedAt > 0) {
        // Live again: the feed stays within half the queue of the sink, as it would of a healthy one.
        await until(() => c.runner.status().queueDepth <= 500, 'the live queue to drain', 10_000);
      } else {
        await new Promise((r) => setImmediate(r));
      }
    }
    expect(rejoinedAt).toBeGreaterThan(3000);
    // Rejoined with most of the feed still to come: the queue took over while lines kept arriving.
    expect(rejoinedAt).toBeLessThan(d.lines.length - 1000);
    expect(c.runner.counters.catchUps).toBeGreaterThanOrEqual(1);
    await expectAllWritten(c);
  });

  it('counts heartbeat lines as lag only until they are durable, and a held write as lag throughout', async () => {
    const d = day(6, 1000);
    // The checkpoint file moves once a second when idle, as in the collector.
    const c = await MiniCollector.open(root, d.options, { batchSize: 100, idleCheckpointMs: 1000 });
    let lastWritten = 0;
    c.sink.onWrite = (batch) => {
      lastWritten = Math.max(lastWritten, batch[batch.length - 1]!.seq);
    };
    c.connect(d.startUs);
    for (const l of d.lines) c.append(l, d.startUs);
    // Lag reaches 0 as soon as the last write lands; the checkpoint follows when its file is
    // written (up to 50 ms behind batches), so wait for that too before taking it as the mark.
    await until(
      () =>
        c.runner.status().lag === 0 &&
        c.runner.status().queueDepth === 0 &&
        lastWritten > 0 &&
        c.runner.checkpoint >= lastWritten,
      'the sink to catch up and checkpoint',
    );
    const checkpoint = c.runner.checkpoint;
    const lastUs = d.lines.at(-1)!.offsetUs;

    // T lines yield no record: once durable they are not lag, though the checkpoint file stays put.
    for (let i = 1; i <= 3; i++) {
      c.append({ channel: 'L2', line: `T,20250725 10:00:0${i}`, offsetUs: lastUs + i }, d.startUs);
    }
    expect(c.runner.status().lag).toBeGreaterThan(0);
    await until(() => c.runner.status().lag === 0, 'the heartbeats to be durable');
    expect(c.runner.checkpoint).toBe(checkpoint);

    // A record in a write the sink has not acknowledged is lag, with or without heartbeats after it.
    c.sink.hold();
    const more = day(16, 300).lines.filter((l) => l.channel === 'L2' && l.line.startsWith('8,'));
    for (const l of more) c.append({ ...l, offsetUs: lastUs + 10 }, d.startUs);
    await until(() => c.sink.inFlight > 0, 'a held write');
    c.append({ channel: 'L2', line: 'T,20250725 10:00:09', offsetUs: lastUs + 11 }, d.startUs);
    await until(() => c.journal.durableSeq === c.journal.nextSeq - 1, 'the journal to be durable');
    expect(c.runner.status().lag).toBeGreaterThan(0);
    c.sink.release();
    await until(() => c.runner.status().lag === 0, 'the held write to land');
    await expectAllWritten(c);
  });

  it('retries a retriable failure with backoff and writes the same batch again', async () => {
    const d = day(7, 1500);
    const c = await MiniCollector.open(root, d.options, { batchSize: 100 });
    c.sink.failures = { count: 3, retriable: true };
    c.connect(d.startUs);
    for (const l of d.lines) c.append(l, d.startUs);
    await until(() => c.runner.status().retries >= 3, 'three retries');
    expect(c.runner.status().lastError).toMatch(/disk says no/);
    await expectAllWritten(c);
  });

  it('fails the sink on an error that is not retriable, and keeps the checkpoint where it was', async () => {
    const d = day(8, 800);
    const c = await MiniCollector.open(root, d.options);
    c.sink.failures = { count: 1, retriable: false };
    c.event('connect', 'L1', d.startUs);
    for (const l of d.lines) c.append(l, d.startUs);
    await until(() => c.runner.status().mode === 'closed', 'the sink to fail');
    expect(c.runner.status()).toMatchObject({
      mode: 'closed',
      checkpointSeq: 0,
      lastError: expect.stringMatching(/disk says no/),
    });
    expect(await c.finish(500)).toBe(false);
    expect(await jsonlLines(c.dataDir)).toEqual([]);
  });

  it('fails the sink on an error that is not retriable while catching up, with the derivation of the next read under way', async () => {
    const d = day(12, 20_000);
    const c = await MiniCollector.open(root, d.options, { queueCapacity: 150, batchSize: 500 });
    c.connect(d.startUs);
    let caughtUpWrites = 0;
    c.sink.onWrite = () => {
      // A catch-up batch of the second journal read fails for good: the first read's batches
      // were written, and their checkpoint stands.
      if (c.runner.status().mode === 'catch-up' && ++caughtUpWrites === 12)
        c.sink.failures = { count: 1, retriable: false };
    };
    c.sink.hold();
    for (const l of d.lines) c.append(l, d.startUs);
    await until(() => c.runner.counters.overflows > 0, 'an overflow');
    c.sink.release();
    await until(() => c.runner.status().mode === 'closed', 'the sink to fail');
    expect(c.runner.status().lastError).toMatch(/disk says no/);
    expect(await c.finish(500)).toBe(false);
    const written = await jsonlLines(c.dataDir);
    const checkpoint = (await readCheckpoint(c.journal.sessionDir, 'jsonl')) ?? 0;
    // Nothing past the checkpoint is claimed: every record at or below it was written.
    const expected = (await derivedLines(c.journal.sessionDir)).filter(
      (l) => (JSON.parse(l) as { seq: number }).seq <= checkpoint,
    );
    expect(checkpoint).toBeGreaterThan(0);
    expect(written).toEqual(expect.arrayContaining(expected));
  });

  it('resumes after its checkpoint: records at or below it are not sent again', async () => {
    const d = day(9, 1200);
    const first = await MiniCollector.open(join(root, 'a'), d.options);
    first.connect(d.startUs);
    for (const l of d.lines) first.append(l, d.startUs);
    expect(await first.finish()).toBe(true);
    const all = await jsonlLines(first.dataDir);
    // A second collector over the same journal and data dir with the checkpoint at 600.
    const { Journal } = await import('../../../collector/journal/journal.js');
    const { readJournal } = await import('../../../collector/journal/read.js');
    const again = await MiniCollector.open(join(root, 'a'), d.options, { checkpoint: 600 });
    const batches: unknown[] = [];
    for await (const entries of readJournal(again.journal.sessionDir)) {
      batches.push(entries);
      for (const e of entries) {
        const out: import('../../../collector/records/types.js').RecordEnvelope[] = [];
        again.deriver.push(e, out);
        for (const r of out) again.runner.offer(r);
      }
    }
    expect(batches.length).toBeGreaterThan(0);
    expect(await again.finish()).toBe(true);
    // JSONL skipped nothing by itself (nothing above 600 was missing): the runner never offered ≤ 600.
    expect(again.sink.writes).toBeGreaterThan(0);
    expect(await jsonlLines(again.dataDir)).toEqual(all);
    expect(Journal).toBeDefined();
  });

  it('with group commit, hands a record to the sink one fdatasync after its line, never before', async () => {
    const d = day(10, 3000);
    const fs = new GatedFs();
    // A timer that never fires within the test: only the group commit makes lines durable.
    const c = await MiniCollector.open(root, d.options, { batchSize: 100 }, 'mini', {
      groupCommit: true,
      flushIntervalMs: 600_000,
      fs,
    });
    let beyond = 0;
    let delivered = 0;
    c.sink.onWrite = (batch) => {
      delivered += batch.length;
      for (const r of batch) if (r.seq > c.journal.durableSeq) beyond++;
    };
    c.connect(d.startUs);
    await c.feed(d.lines, d.startUs, 20, async (i) => {
      if (i === 1000) {
        // The disk stalls: what is appended from now on must not reach the sink.
        await until(() => c.runner.checkpoint > 0, 'the first records to reach the sink');
        fs.hold('datasync');
      }
      if (i === 2000) {
        await until(() => fs.waiting === 1, 'an fdatasync to be held');
        // A thousand lines later, still held: they are not durable, and none of their records went out.
        expect(c.journal.durableSeq).toBeLessThan(c.journal.nextSeq - 900);
        fs.release('datasync');
      }
    });
    await until(() => delivered > 0 && c.journal.durableSeq === c.journal.nextSeq - 1, 'the group commits');
    expect(beyond).toBe(0);
    await expectAllWritten(c);
    expect(beyond).toBe(0);
  });

  it('bounds its queue in bytes: past the bound the sink catches up, and nothing is lost or doubled', async () => {
    const d = day(11, 4000);
    const c = await MiniCollector.open(root, d.options, { queueBytes: 40_000, batchSize: 50 });
    c.connect(d.startUs);
    c.sink.hold();
    let maxDepth = 0;
    await c.feed(d.lines, d.startUs, 50, (i) => {
      maxDepth = Math.max(maxDepth, c.runner.status().queueDepth);
      if (i === 1500) c.sink.release();
    });
    // Records of this day are 100 to 600 bytes: 40 kB holds a few hundred, far below the
    // default count capacity of 100,000.
    expect(maxDepth).toBeLessThan(1000);
    expect(c.runner.counters.overflows).toBeGreaterThan(0);
    await expectAllWritten(c);
  });

  it('writes once half its byte bound is queued, not waiting batchMs for a batch of records the bound cannot hold', async () => {
    const d = day(12, 4000);
    // A batch of 100k records (ClickHouse's) could never form under 200 kB: waiting a minute for
    // it, the queue would fill to its bound and overflow.
    const c = await MiniCollector.open(root, d.options, {
      queueBytes: 200_000,
      batchSize: 100_000,
      batchMs: 60_000,
    });
    c.connect(d.startUs);
    let written = 0;
    c.sink.onWrite = (batch) => {
      written += batch.length;
    };
    // Feed until the first write starts: it must start before the queue reaches its bound. Only
    // durable records can be written, so each step waits for its lines to be durable: on a timer
    // pace, one fdatasync slower than the ~60 ms the feed took from half the bound to the bound
    // overflowed the queue before any record could go.
    let fed = 0;
    while (written === 0 && fed < d.lines.length) {
      // 25 lines are a few kB of records, far less than the half bound between the two checks.
      for (const l of d.lines.slice(fed, fed + 25)) c.append(l, d.startUs);
      fed += 25;
      await until(() => c.journal.durableSeq === c.journal.nextSeq - 1, 'the lines to be durable');
      await new Promise((r) => setImmediate(r));
    }
    expect(written).toBeGreaterThan(0);
    expect(fed).toBeLessThan(d.lines.length);
    expect(c.runner.counters.overflows).toBe(0);
    for (const l of d.lines.slice(fed)) c.append(l, d.startUs);
    await expectAllWritten(c);
  });

  it('writes its checkpoint file at most every checkpointEveryMs behind batches, and at once when draining', async () => {
    const d = day(12, 2000);
    const c = await MiniCollector.open(root, d.options, {
      batchSize: 100,
      checkpointEveryMs: 600_000,
      idleCheckpointMs: 600_000,
    });
    c.connect(d.startUs);
    await c.feed(d.lines, d.startUs, 20);
    await until(() => c.sink.writes >= 3, 'a few batches');
    // Batches written, none checkpointed yet: the first checkpoint write is ten minutes away.
    expect(c.runner.checkpoint).toBe(0);
    expect(await readCheckpoint(c.journal.sessionDir, 'jsonl')).toBeNull();
    await expectAllWritten(c);
    expect(await readCheckpoint(c.journal.sessionDir, 'jsonl')).toBe(c.journal.nextSeq - 1);
  });
});
