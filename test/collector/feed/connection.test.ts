/**
 * One connection's watch on silence and its backpressure, through the feed: the stale-feed
 * watchdog (ManualClock: time moves only when the test says) and pause/resume.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { makeRig, type Rig, waitFor, yieldEverySecond } from './helpers.js';

const rigs: Rig[] = [];
afterEach(async () => {
  for (const r of rigs.splice(0)) await r.teardown();
});

async function rig(...args: Parameters<typeof makeRig>): Promise<Rig> {
  const r = await makeRig(...args);
  rigs.push(r);
  return r;
}

describe('stale-feed watchdog', () => {
  it('counts silence from the last line and drops a connection quiet for staleMs, then reconnects', async () => {
    const r = await rig({ admin: true });
    r.port.L1.onAccept = (c) => c.write('S,SERVER CONNECTED\n');
    await r.feed.start();
    const l1 = await r.port.L1.waitForConn(1);
    await waitFor(() => r.rec.linesOf('L1').length === 1, 'the banner');
    r.advanceMs(4999);
    l1.write('T,20240102 09:30:05\n');
    await waitFor(() => r.rec.linesOf('L1').length === 2, 'a timestamp');
    // 4999 ms after that line: still fine.
    r.advanceMs(4999);
    expect(r.rec.events('L1')).toHaveLength(1);
    r.advanceMs(1);
    await waitFor(() => r.rec.events('L1').length === 2, 'the stale-feed disconnect');
    expect(r.rec.events('L1')[1]).toMatchObject({
      event: 'disconnect',
      reason: 'stale-feed',
      detail: 'no line for 5000 ms',
    });
    await l1.waitClosed();
    // L2 was silent all along (no banner): it went stale at 5000 ms, before L1.
    expect(
      r.rec
        .events('L2')
        .map((e) => e.reason)
        .slice(0, 2),
    ).toEqual([null, 'stale-feed']);
    // The admin port has no watchdog (no 1 Hz T there).
    expect(r.rec.events('ADMIN')).toHaveLength(1);
    expect(r.status('ADMIN').connected).toBe(true);
    // Reconnect after the backoff delay, and the handshake again.
    const delay = r.status('L1').retryInMs ?? -1;
    expect(delay).toBeGreaterThan(0);
    r.advanceMs(delay);
    const again = await r.port.L1.waitForConn(2);
    await again.waitForCommands(4);
    expect(again.commands()).toEqual(l1.commands());
    await waitFor(() => r.rec.events('L1').length === 3, 'the reconnect event');
    expect(r.status('L1')).toMatchObject({
      connected: true,
      reconnects: 1,
      lastProblem: 'stale-feed: no line for 5000 ms',
    });
  });
});

describe('pause and resume', () => {
  it('keeps the silence from before a pause: a collector that yields every second does not keep a silent port fresh', async () => {
    const r = await rig();
    r.port.L2.onAccept = (c) => c.write('S,SERVER CONNECTED\r\n');
    await r.feed.start();
    await waitFor(() => r.rec.linesOf('L2').length === 1, 'the banner');
    yieldEverySecond(r, 4);
    // 4 s of silence, plus 40 ms paused that do not count.
    r.advanceMs(999);
    expect(r.rec.events('L2')).toHaveLength(1);
    r.advanceMs(1);
    await waitFor(() => r.rec.events('L2').length === 2, 'the stale-feed disconnect', 2000);
    expect(r.rec.events('L2')[1]).toMatchObject({ reason: 'stale-feed', detail: 'no line for 5000 ms' });
  });

  it('reads nothing while paused, never calls that silence stale, and delivers everything in order on resume', async () => {
    const r = await rig({ admin: true });
    await r.feed.start();
    const conns = await Promise.all([
      r.port.L1.waitForConn(1),
      r.port.L2.waitForConn(1),
      r.port.ADMIN.waitForConn(1),
    ]);
    await Promise.all(conns.map((c) => c.waitForCommands(2)));
    r.feed.pause();
    const [l1, l2, admin] = conns;
    const body = Array.from({ length: 2000 }, (_, i) => `Q,AAPL,${100 + i / 100},${i},`);
    l1.write(`${body.join('\n')}\n`);
    l2.write('S,SERVER CONNECTED\r\n');
    admin.write('S,STATS,,,0,0,1,0,0,0,,,Connected,6.2.0.25,1,0,0,,0.02,0.02,,\n');
    // A negative check needs a window: on loopback, unpaused bytes arrive within a millisecond.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(r.rec.log.filter((x) => x.kind === 'lines')).toHaveLength(0);
    // A minute of our silence is not the feed's.
    r.advanceMs(60_000);
    expect(r.rec.events().filter((e) => e.event === 'disconnect')).toHaveLength(0);
    expect(r.feed.ports().every((p) => p.connected)).toBe(true);
    r.feed.resume();
    await waitFor(
      () => r.rec.linesOf('L1').length === 2000 && r.rec.linesOf('ADMIN').length === 1,
      'the backlog',
    );
    expect(r.rec.linesOf('L1')).toEqual(body);
    expect(r.rec.linesOf('L2')).toEqual(['S,SERVER CONNECTED']);
    // Silence counts again from the resume.
    r.advanceMs(4999);
    expect(r.rec.events('L1')).toHaveLength(1);
    r.advanceMs(1);
    await waitFor(() => r.rec.events('L1').length === 2, 'stale after resume');
    expect(r.rec.events('L1')[1].reason).toBe('stale-feed');
  });

  it('opens a new connection paused when the feed is paused', async () => {
    const r = await rig();
    await r.feed.start();
    const first = await r.port.L1.waitForConn(1);
    r.feed.pause();
    first.reset();
    await waitFor(() => r.rec.events('L1').length === 2, 'the reset');
    r.port.L1.onAccept = (c) => c.write('S,KEY,99999\nS,SERVER CONNECTED\n');
    r.advanceMs(r.status('L1').retryInMs ?? 0);
    const second = await r.port.L1.waitForConn(2);
    // The handshake still goes out: pausing stops reading, not writing.
    await second.waitForCommands(4);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(r.rec.timeline('L1')).toEqual(['connect', 'disconnect:disconnect', 'connect']);
    r.feed.resume();
    await waitFor(() => r.rec.linesOf('L1').length === 2, 'the banner after resume');
  });

  it('dates the first read after a pause from the pause: its bytes may have waited since (readTiming)', async () => {
    const r = await rig();
    await r.feed.start();
    const l1 = await r.port.L1.waitForConn(1);
    await l1.waitForCommands(2);
    const reads = () => r.rec.reads.filter((x) => x.channel === 'L1');
    l1.write('T,20240102 09:30:00\n');
    await waitFor(() => reads().length === 1, 'a read while reading');
    const before = reads()[0];
    // Not paused and the first read of its turn: it waited for nothing.
    expect(before.waitingSinceUs).toBe(before.us);
    r.feed.pause();
    const pausedAt = r.clock.wallUs();
    r.advanceMs(300);
    l1.write('Q,AAPL,1,\n');
    r.feed.resume();
    await waitFor(() => reads().length === 2, 'the read after the resume');
    expect(reads()[1]).toMatchObject({ us: pausedAt + 300_000, waitingSinceUs: pausedAt });
    // Reading again: the next read counts from itself.
    r.advanceMs(10);
    l1.write('Q,AAPL,2,\n');
    await waitFor(() => reads().length === 3, 'a read after that');
    expect(reads()[2]).toMatchObject({ us: pausedAt + 310_000, waitingSinceUs: pausedAt + 310_000 });
  });

  it('keeps reading through a graceful stop however it is paused: every line already sent is delivered, without waiting out the grace', async () => {
    const r = await rig();
    await r.feed.start();
    const l1 = await r.port.L1.waitForConn(1);
    await l1.waitForCommands(2);
    // What the collector does: pause on every read once stopping (its yield), never resume.
    let stopping = false;
    const record = r.rec.lines.bind(r.rec);
    r.rec.lines = (channel, lines, receivedWallUs) => {
      record(channel, lines, receivedWallUs);
      if (stopping) r.feed.pause();
    };
    // Paused before the stop (journal congested): the lines wait in the kernel. About 900 kB,
    // so they take many reads, each followed by a pause.
    r.feed.pause();
    const body = Array.from({ length: 20_000 }, (_, i) => `Q,AAPL,134.62,100,09:30:00.000100,11,${i},`);
    l1.write(`${body.join('\n')}\n`);
    stopping = true;
    let stopped = false;
    void r.feed.stop().then(() => {
      stopped = true;
    });
    // And a pause between the stop and the first read.
    r.feed.pause();
    // The fake port closes on our FIN, after the lines (TCP keeps the order). The manual clock
    // does not move, so the grace timer cannot be what ends the stop.
    await waitFor(() => stopped, 'the stop, without the grace timeout', 5000);
    expect(r.rec.linesOf('L1')).toEqual(body);
    expect(r.rec.events('L1').map((e) => e.reason)).toEqual([null, 'stop']);
  });
});

describe('line length bound', () => {
  it('hands a line over maxLineBytes on in pieces of that size, nothing lost, and counts it', async () => {
    const r = await rig({ maxLineBytes: 40 });
    await r.feed.start();
    const l1 = await r.port.L1.waitForConn(1);
    const long = `E,${'x'.repeat(98)}`;
    l1.write(`T,20240102 09:30:05\n${long}\nT,20240102 09:30:06\n`);
    await waitFor(() => r.rec.linesOf('L1').length === 5, 'the pieces and the lines around them');
    expect(r.rec.linesOf('L1')).toEqual([
      'T,20240102 09:30:05',
      long.slice(0, 40),
      long.slice(40, 80),
      long.slice(80),
      'T,20240102 09:30:06',
    ]);
  });
});
