import { afterEach, describe, expect, it } from 'vitest';
import { PUSH_INTERVAL_MS } from '../../../collector/monitor/status-push.js';
import { type ManualClock, systemClock } from '../../../common/clock.js';
import {
  RecordingClient,
  type RunningMonitor,
  roundTrip,
  runMonitor,
  type StartOptions,
  waitFor,
} from './monitor-harness.js';
import { sampleStatus } from './sample-status.js';

let running: RunningMonitor | null = null;
const clients: RecordingClient[] = [];

async function start(options: StartOptions = {}): Promise<RunningMonitor> {
  running = await runMonitor(options);
  return running;
}

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await running?.monitor.close();
  running = null;
});

function connect(m: RunningMonitor): RecordingClient {
  const c = new RecordingClient(`ws://127.0.0.1:${m.monitor.port}/ws`);
  clients.push(c);
  return c;
}

function advance(m: RunningMonitor, ms: number): void {
  (m.clock as ManualClock).advanceUs(ms * 1000);
}

describe('monitor WebSocket /ws', () => {
  it('sends the history once, then the status at once', async () => {
    const m = await start();
    const c = connect(m);
    await waitFor('history and first status', () => c.messages.length >= 2);
    expect(c.messages[0]).toEqual({ type: 'history', samples: m.history });
    expect(c.messages[1]).toEqual({
      type: 'status',
      status: m.current,
      assessment: { state: 'ok', reasons: [] },
    });
    await roundTrip(c);
    expect(c.messages).toHaveLength(2);
  });

  it('pushes the status to every page once per second of the clock, read afresh each time', async () => {
    const m = await start();
    const a = connect(m);
    const b = connect(m);
    await waitFor(
      'both connected with their first status',
      () => a.statuses().length === 1 && b.statuses().length === 1,
    );

    advance(m, PUSH_INTERVAL_MS - 1);
    await roundTrip(a);
    await roundTrip(b);
    expect(a.statuses()).toHaveLength(1); // not yet a second

    for (let second = 1; second <= 5; second++) {
      m.current = sampleStatus({ uptimeS: 3725 + second });
      advance(m, second === 1 ? 1 : PUSH_INTERVAL_MS);
      await waitFor(
        `push ${second}`,
        () => a.statuses().length === 1 + second && b.statuses().length === 1 + second,
      );
    }
    await roundTrip(a);
    await roundTrip(b);
    expect(a.statuses().map((s) => s.uptimeS)).toEqual([3725, 3726, 3727, 3728, 3729, 3730]);
    expect(b.statuses().map((s) => s.uptimeS)).toEqual([3725, 3726, 3727, 3728, 3729, 3730]);
    // The history went once, on connect only.
    expect(a.messages.filter((x) => x.type === 'history')).toHaveLength(1);
  });

  it('pushes on the real clock at least once a second (counted against a deadline)', async () => {
    const m = await start({ clock: systemClock });
    const c = connect(m);
    await waitFor('first status', () => c.statuses().length === 1);
    const t0 = Date.now();
    // Three timer pushes are due 3 s after connecting at the latest; allow scheduling slack on a busy machine.
    await waitFor('three timer pushes', () => c.statuses().length >= 4, 3 * PUSH_INTERVAL_MS + 1500);
    expect(Date.now() - t0).toBeLessThanOrEqual(3 * PUSH_INTERVAL_MS + 1500);
  });

  it('carries the monitor’s assessment: a disconnected port or a stuck sink makes it down', async () => {
    const m = await start();
    const c = connect(m);
    await waitFor('first status', () => c.statuses().length === 1);
    const base = sampleStatus();
    m.current = sampleStatus({
      sinks: base.sinks.map((s) => (s.name === 'clickhouse' ? { ...s, stuck: true } : s)),
    });
    advance(m, PUSH_INTERVAL_MS);
    await waitFor('second status', () => c.statuses().length === 2);
    const last = c.messages.at(-1);
    expect(last?.type === 'status' && last.assessment).toEqual({
      state: 'down',
      reasons: ['sink clickhouse stuck at checkpoint 70920001, lag 7083 lines'],
    });
  });

  it('skips pushes while the status source throws, logs that once, and resumes', async () => {
    const m = await start();
    const c = connect(m);
    await waitFor('first status', () => c.statuses().length === 1);
    m.failWith = new Error('books are being rebuilt');
    advance(m, 3 * PUSH_INTERVAL_MS);
    await roundTrip(c);
    expect(c.statuses()).toHaveLength(1);
    expect(m.logLines.filter((l) => l.includes('books are being rebuilt'))).toHaveLength(1);
    m.failWith = null;
    advance(m, PUSH_INTERVAL_MS);
    await waitFor('push after recovery', () => c.statuses().length === 2);
    expect(m.logLines.some((l) => l.includes('monitor status source recovered'))).toBe(true);
  });

  it('a page that disconnects is dropped; close() ends the pages still connected', async () => {
    const m = await start();
    const gone = connect(m);
    const stays = connect(m);
    await waitFor('both connected', () => gone.statuses().length === 1 && stays.statuses().length === 1);
    gone.close();
    await waitFor('the first page closed', () => gone.closed);
    advance(m, PUSH_INTERVAL_MS);
    await waitFor('push to the remaining page', () => stays.statuses().length === 2);
    await m.monitor.close();
    running = null;
    await waitFor('the remaining page closed by the server', () => stays.closed);
  });

  it('refuses upgrades on other paths and from pages of another origin', async () => {
    const m = await start();
    const elsewhere = new RecordingClient(`ws://127.0.0.1:${m.monitor.port}/api/status`);
    const foreign = new RecordingClient(`ws://127.0.0.1:${m.monitor.port}/ws`, {
      origin: 'http://attacker.example',
    });
    const same = new RecordingClient(`ws://127.0.0.1:${m.monitor.port}/ws`, {
      origin: `http://127.0.0.1:${m.monitor.port}`,
    });
    clients.push(elsewhere, foreign, same);
    await waitFor(
      'all three answered',
      () => elsewhere.refusedWith !== null && foreign.refusedWith !== null && same.opened,
    );
    expect(elsewhere.refusedWith).toBe(403);
    expect(foreign.refusedWith).toBe(403);
    expect(foreign.messages).toHaveLength(0);
  });
});
