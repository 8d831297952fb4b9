/**
 * The collector against a scripted feed (and, where needed, a scripted monitor): fatal errors
 * from the feed, fatal errors while starting, and the once-per-turn yield under a flood. The
 * feed is replaced at its module boundary (collector/feed/types.ts) so each test decides exactly
 * which lines and events arrive and when.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Channel, Feed, FeedListener, FeedPortStatus } from '../../../collector/feed/types.js';
import { type AppendFile, type JournalFs, nodeJournalFs } from '../../../collector/journal/files.js';
import { readJournal } from '../../../collector/journal/read.js';
import type { MonitorHandle, MonitorOptions } from '../../../collector/monitor/server.js';
import { startCollector } from '../../../collector/pipeline/collector.js';
import { type Clock, systemClock, type Timer } from '../../../common/clock.js';
import { L2hError } from '../../../common/errors.js';
import { captureLogger } from '../feed/helpers.js';
import { tempDir, until } from './helpers.js';

const scripted = vi.hoisted(() => {
  /** A feed that does what the test says; `stop()` delivers `onStop` like the real feed's close. */
  class ScriptedFeed {
    started = false;
    stopped = false;
    pauses = 0;
    resumes = 0;
    onStop: () => void = () => {};
    constructor(readonly listener: FeedListener) {}
    async start(): Promise<void> {
      this.started = true;
    }
    async stop(): Promise<void> {
      if (this.stopped) return;
      this.stopped = true;
      this.onStop();
    }
    pause(): void {
      this.pauses++;
    }
    resume(): void {
      this.resumes++;
    }
    ports(): FeedPortStatus[] {
      return [];
    }
    resync(): void {}
  }
  return {
    ScriptedFeed,
    feeds: [] as ScriptedFeed[],
    startMonitor: null as ((o: MonitorOptions) => Promise<MonitorHandle>) | null,
  };
});

vi.mock('../../../collector/feed/feed.js', async (importOriginal) => ({
  ...(await importOriginal<object>()),
  createFeed: (_o: unknown, listener: FeedListener): Feed => {
    const feed = new scripted.ScriptedFeed(listener);
    scripted.feeds.push(feed);
    return feed;
  },
}));

vi.mock('../../../collector/monitor/server.js', async (importOriginal) => ({
  ...(await importOriginal<object>()),
  startMonitor: (o: MonitorOptions): Promise<MonitorHandle> => {
    if (scripted.startMonitor === null) throw new Error('no scripted monitor');
    return scripted.startMonitor(o);
  },
}));

let dir = { path: '', cleanup: async () => {} };
beforeEach(async () => {
  dir = await tempDir('collector-lifecycle');
  scripted.feeds.length = 0;
  scripted.startMonitor = null;
});
afterEach(async () => {
  await dir.cleanup();
});

function options(extra: Partial<Parameters<typeof startCollector>[0]> = {}) {
  return {
    symbols: ['AAPL'],
    ports: { L1: 1, L2: 2 },
    feed: { admin: false },
    dataDir: join(dir.path, 'data'),
    journalDir: join(dir.path, 'journal'),
    flushMs: 10,
    ...extra,
  };
}

function lastFeed(): InstanceType<typeof scripted.ScriptedFeed> {
  const feed = scripted.feeds.at(-1);
  if (feed === undefined) throw new Error('no feed was created');
  return feed;
}

async function journaled(sessionDir: string) {
  const lines: { channel: Channel; line: string }[] = [];
  const events: { channel: Channel; event: string; reason?: string }[] = [];
  for await (const batch of readJournal(sessionDir)) {
    for (const e of batch) {
      if (e.type === 'line') lines.push({ channel: e.channel, line: e.line });
      else events.push({ channel: e.channel, event: e.event, reason: e.reason });
    }
  }
  return { lines, events };
}

const nextTurn = () => new Promise<void>((r) => setImmediate(r));

describe('collector lifecycle', () => {
  it('journals what the feed delivers while stopping after a feed-side fatal error', async () => {
    const h = await startCollector(options());
    const feed = lastFeed();
    const now = systemClock.wallUs();
    feed.listener.lines('L1', ['E,6.2 is not a valid protocol.,'], now);
    // What IQConnect sent before closing, then the disconnects: Feed.stop's contract.
    feed.onStop = () => {
      feed.listener.lines('L1', ['T,20240102 10:00:05'], systemClock.wallUs());
      feed.listener.lines('L2', ['T,20240102 10:00:05'], systemClock.wallUs());
      for (const channel of ['L1', 'L2'] as const) {
        feed.listener.event({ event: 'disconnect', channel, us: systemClock.wallUs(), reason: 'stop' });
      }
    };
    feed.listener.error?.(new L2hError('IQConnect refused protocol 6.2', { code: 'SERVICE_UNAVAILABLE' }));
    const result = await h.done;
    expect(result.error?.message).toBe('IQConnect refused protocol 6.2');
    const { lines, events } = await journaled(h.sessionDir);
    expect(lines.filter((l) => l.line === 'T,20240102 10:00:05').map((l) => l.channel)).toEqual(['L1', 'L2']);
    expect(events.filter((e) => e.event === 'disconnect')).toEqual([
      { channel: 'L1', event: 'disconnect', reason: 'stop' },
      { channel: 'L2', event: 'disconnect', reason: 'stop' },
    ]);
  });

  it('yields once per flooded turn, not once per 4096 lines spread over many turns', async () => {
    const h = await startCollector(options());
    const feed = lastFeed();
    const batch = Array.from(
      { length: 3000 },
      (_, i) => `T,20240102 10:00:${String(i % 60).padStart(2, '0')}`,
    );
    // Three quiet turns of 3000 lines each: the loop had a turn to itself between them.
    for (let turn = 0; turn < 3; turn++) {
      feed.listener.lines('L1', batch, systemClock.wallUs());
      await nextTurn();
    }
    expect(feed.pauses).toBe(0);
    // One flooded turn: two reads of 3000 lines in the same turn cross the mark once.
    feed.listener.lines('L1', batch, systemClock.wallUs());
    feed.listener.lines('L1', batch, systemClock.wallUs());
    expect(feed.pauses).toBe(1);
    await until(() => feed.resumes === 1, 'the feed to resume after the yield');
    await h.stop();
  });

  it('tears down what start() created when a fatal journal error strikes while the monitor starts', async () => {
    const first = await startCollector(options());
    await first.stop();

    // Run 2 resumes the session: its restart events reach the disk only after the monitor began
    // starting, and the disk fails them.
    let monitorStarting: () => void = () => {};
    const starting = new Promise<void>((r) => {
      monitorStarting = r;
    });
    const failingFs: JournalFs = {
      async openAppend(path, mustCreate): Promise<AppendFile> {
        const f = await nodeJournalFs.openAppend(path, mustCreate);
        return {
          async write() {
            await starting;
            throw Object.assign(new Error('EIO: i/o error, write'), { code: 'EIO' });
          },
          datasync: () => f.datasync(),
          close: () => f.close(),
        };
      },
      syncDir: (p) => nodeJournalFs.syncDir(p),
    };
    let monitorClosed = false;
    scripted.startMonitor = async (o) => {
      monitorStarting();
      await until(() => o.status().state === 'down', 'the journal failure to stop the collector');
      return {
        url: 'http://127.0.0.1:1/',
        port: 1,
        async close() {
          monitorClosed = true;
        },
      };
    };
    const live = new Set<Timer>();
    const clock: Clock = {
      ...systemClock,
      setInterval(fn, ms) {
        const t = systemClock.setInterval(fn, ms);
        const timer = {
          cancel() {
            live.delete(timer);
            t.cancel();
          },
        };
        live.add(timer);
        return timer;
      },
    };

    const second = startCollector(
      options({
        session: first.session,
        monitor: { host: '127.0.0.1', port: 0 },
        journal: { fs: failingFs },
        clock,
      }),
    );
    await expect(second).rejects.toThrow(/EIO/);
    expect(monitorClosed).toBe(true);
    expect(live.size).toBe(0);
    for (const feed of scripted.feeds.slice(1)) expect(!feed.started || feed.stopped).toBe(true);
  });
});

describe('collector status file', () => {
  it('is rewritten every statusEveryMs, on a timer of its own beside the once-a-second rate sample', async () => {
    const timers: { ms: number; fn: () => void; cancelled: boolean }[] = [];
    const clock: Clock = {
      ...systemClock,
      // Held, not run: the test fires each timer itself, so nothing depends on real waits.
      setInterval(fn, ms) {
        const t = { ms, fn, cancelled: false };
        timers.push(t);
        return {
          cancel() {
            t.cancelled = true;
          },
        };
      },
    };
    const statusFile = join(dir.path, 'status.json');
    const h = await startCollector(options({ statusFile, statusEveryMs: 200, clock }));
    const status = timers.filter((t) => t.ms === 200);
    const rates = timers.filter((t) => t.ms === 1000);
    expect(status).toHaveLength(1);
    expect(rates).toHaveLength(1);

    lastFeed().listener.lines('L1', ['T,20240102 10:00:05'], systemClock.wallUs());
    status[0]!.fn();
    const read = () => JSON.parse(readFileSync(statusFile, 'utf8')) as { totals: { lines: { L1: number } } };
    await until(() => existsSync(statusFile) && read().totals.lines.L1 === 1, 'the status file');
    lastFeed().listener.lines('L1', ['T,20240102 10:00:06'], systemClock.wallUs());
    status[0]!.fn();
    await until(() => read().totals.lines.L1 === 2, 'the second status write');

    await h.stop();
    expect(status[0]!.cancelled && rates[0]!.cancelled).toBe(true);
  });

  it('lets a status tick that finds the last write still going pass, so writes never overlap', async () => {
    const timers: { ms: number; fn: () => void }[] = [];
    const clock: Clock = {
      ...systemClock,
      setInterval(fn, ms) {
        timers.push({ ms, fn });
        return { cancel() {} };
      },
    };
    const { logger, text } = captureLogger();
    const statusFile = join(dir.path, 'status.json');
    const h = await startCollector(options({ statusFile, statusEveryMs: 200, clock, logger }));
    const tick = timers.find((t) => t.ms === 200)!.fn;
    // Three ticks in one turn, as a busy event loop delivers them: two of them find a write going.
    // Overlapping writes share the temporary file, and the rename of one fails (ENOENT).
    for (let round = 0; round < 20; round++) {
      tick();
      tick();
      tick();
      await until(
        () => existsSync(statusFile) && !existsSync(`${statusFile}.tmp-${process.pid}`),
        'the write',
      );
      await nextTurn();
    }
    await h.stop();
    expect(text()).not.toContain('cannot write the status file');
    expect(JSON.parse(readFileSync(statusFile, 'utf8'))).toMatchObject({ stopping: true });
  });

  it('refuses a status interval that is not a positive number of ms', async () => {
    await expect(startCollector(options({ statusEveryMs: 0 }))).rejects.toThrow(/status interval/);
  });
});
