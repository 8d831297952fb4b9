/**
 * One port over time: reconnecting with capped exponential backoff and seeded jitter (timed by a
 * ManualClock, so every delay is checked to the millisecond without waiting for it), events
 * around every connection, and IQConnect's own link to DTN (S,SERVER DISCONNECTED/CONNECTED).
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

/** The delay the policy in force promises for retry `i`, given the i-th draw (restated here on purpose). */
function expectedDelay(i: number, draw: number): number {
  return Math.round(Math.min(10_000, 200 * 2 ** i) * (1 - 0.3 * draw));
}

// Long enough that no port goes stale while the test moves the clock: only the port under test
// draws from the shared random source, so its draws are the sequence's first ones.
const QUIET = { staleMs: 3_600_000 };

describe('reconnect with backoff', () => {
  it('retries a refused port after 200, 400, 800 … ms capped at 10 s, less seeded jitter, to the millisecond', async () => {
    const r = await rig(QUIET, { seed: 7 });
    await r.port.L1.refuse();
    await r.feed.start();
    expect(r.status('L1')).toMatchObject({
      connected: false,
      attempts: 1,
      failedAttempts: 1,
      lastProblem: 'ECONNREFUSED',
    });
    expect(r.rec.events('L1')).toEqual([]); // no connection, nothing to bound
    const delays: number[] = [];
    for (let i = 0; i < 8; i++) {
      const d = expectedDelay(i, r.draws.next());
      delays.push(d);
      expect(r.status('L1').retryInMs, `retry ${i}`).toBe(d);
      r.advanceMs(d - 1);
      expect(r.status('L1').attempts, `not yet at ${d - 1} ms`).toBe(i + 1);
      r.advanceMs(1);
      expect(r.status('L1').attempts, `at ${d} ms`).toBe(i + 2);
      await waitFor(() => r.status('L1').failedAttempts === i + 2, `failure ${i + 2}`);
    }
    // The cap holds once reached, and jitter only shortens.
    expect(delays.slice(6).every((d) => d > 7000 && d <= 10_000)).toBe(true);
    expect(r.log()).toMatch(/cannot connect to IQConnect \(is it running/);

    // IQConnect comes up: the next attempt connects; lines and staying up prove it, and the
    // backoff starts over.
    await r.port.L1.reopen();
    r.port.L1.onAccept = (c) => c.write('S,SERVER CONNECTED\n');
    r.advanceMs(expectedDelay(8, r.draws.next()));
    await waitFor(() => r.rec.linesOf('L1').length === 1, 'the banner');
    r.advanceMs(10_000);
    expect(r.status('L1')).toMatchObject({
      connected: true,
      reconnects: 0,
      attempts: 10,
      failedAttempts: 9,
      retryInMs: null,
    });
    r.port.L1.conns[0].reset();
    await waitFor(() => r.rec.events('L1').length === 2, 'the reset');
    expect(r.status('L1').retryInMs).toBe(expectedDelay(0, r.draws.next()));
  });

  it('keeps backing off when IQConnect accepts and hangs up without a line', async () => {
    const r = await rig(QUIET, { seed: 3 });
    r.port.L1.onAccept = (c) => c.end();
    await r.feed.start();
    for (let i = 0; i < 3; i++) {
      await waitFor(() => r.rec.events('L1').length === 2 * (i + 1), `hang-up ${i + 1}`);
      expect(r.status('L1').retryInMs).toBe(expectedDelay(i, r.draws.next()));
      r.advanceMs(r.status('L1').retryInMs ?? 0);
    }
    await waitFor(() => r.port.L1.conns.length === 4, 'the fourth connection');
  });

  it('redials at once after a connection that carried the feed, however short it lived', async () => {
    const r = await rig(QUIET, { seed: 13 });
    // A feed that drops us every second while data flows (the disconnect-storm): each drop is
    // redialled after the first step of the backoff, never a grown one.
    const feed = Array.from(
      { length: 1000 },
      (_, i) => `T,20250725 09:30:${String(i % 60).padStart(2, '0')}`,
    );
    r.port.L1.onAccept = (c) => c.end(`${feed.join('\n')}\n`);
    await r.feed.start();
    for (let i = 0; i < 4; i++) {
      await waitFor(() => r.rec.events('L1').length === 2 * (i + 1), `drop ${i + 1}`);
      expect(r.status('L1').retryInMs, `retry ${i}`).toBe(expectedDelay(0, r.draws.next()));
      r.advanceMs(r.status('L1').retryInMs ?? 0);
    }
  });

  it('reconnects after a reset or an EOF, re-sends the handshake, and counts reconnects per port', async () => {
    const r = await rig({ ...QUIET, symbols: ['AAPL', 'MSFT'], admin: true });
    for (const ch of ['L1', 'L2', 'ADMIN'] as const)
      r.port[ch].onAccept = (c) => c.write('S,SERVER CONNECTED\r\n');
    await r.feed.start();
    const first = await r.port.L2.waitForConn(1);
    await first.waitForCommands(4);
    await waitFor(() => r.rec.linesOf('L2').length === 1, 'banner 1');
    first.reset();
    await waitFor(() => r.rec.events('L2').length === 2, 'disconnect 1');
    expect(r.rec.events('L2')[1]).toMatchObject({ reason: 'disconnect', detail: 'ECONNRESET' });
    r.advanceMs(r.status('L2').retryInMs ?? 0);
    const second = await r.port.L2.waitForConn(2);
    await second.waitForCommands(4);
    expect(second.commands()).toEqual(first.commands());
    await waitFor(() => r.rec.linesOf('L2').length === 2, 'banner 2');
    second.end();
    await waitFor(() => r.rec.events('L2').length === 4, 'disconnect 2');
    expect(r.rec.events('L2')[3]).toMatchObject({ reason: 'disconnect', detail: 'EOF' });
    r.advanceMs(r.status('L2').retryInMs ?? 0);
    await waitFor(() => r.rec.linesOf('L2').length === 3, 'banner 3');
    expect(r.rec.timeline('L2')).toEqual([
      'connect',
      'S,SERVER CONNECTED',
      'disconnect:disconnect',
      'connect',
      'S,SERVER CONNECTED',
      'disconnect:disconnect',
      'connect',
      'S,SERVER CONNECTED',
    ]);
    expect(r.feed.ports().map((p) => [p.channel, p.reconnects])).toEqual([
      ['L1', 0],
      ['L2', 2],
      ['ADMIN', 0],
    ]);
    // Events are stamped with the wall clock: the reconnect's connect is later than the disconnect.
    const l2 = r.rec.events('L2');
    expect(l2[2].us).toBeGreaterThan(l2[1].us);
  });
});

describe('IQConnect losing DTN', () => {
  it('re-sends the watches of the port that saw S,SERVER CONNECTED after S,SERVER DISCONNECTED, keeping the socket', async () => {
    const r = await rig({ ...QUIET, symbols: ['AAPL', 'MSFT'], family: { MSFT: 'mbo' } });
    r.port.L1.onAccept = (c) => c.write('S,SERVER CONNECTED\n');
    r.port.L2.onAccept = (c) => c.write('S,SERVER CONNECTED\r\n');
    await r.feed.start();
    const [l1, l2] = await Promise.all([r.port.L1.waitForConn(1), r.port.L2.waitForConn(1)]);
    await Promise.all([l1.waitForCommands(5), l2.waitForCommands(4)]);
    await waitFor(() => r.status('L2').serverConnected === true, 'L2 up');
    l2.write('S,SERVER DISCONNECTED\r\n');
    await waitFor(() => r.status('L2').serverConnected === false, 'L2 down');
    expect(r.status('L1').serverConnected).toBe(true);
    expect(r.log()).toMatch(/lost its link to DTN/);
    // IQConnect is asked to bring its depth link back (c), as the recorded client did.
    await l2.waitForCommands(5, 'c');
    expect(l2.commands()[4]).toBe('c');
    l2.write('O\r\nS,SERVER CONNECTED\r\n');
    await l2.waitForCommands(7, 'the watches again');
    expect(l2.commands().slice(5)).toEqual(['WPL,AAPL', 'WOR,MSFT']);
    expect(r.status('L2').serverConnected).toBe(true);
    // The lines are data too: the deriver opens and closes its gaps on them.
    expect(r.rec.timeline('L2')).toEqual([
      'connect',
      'S,SERVER CONNECTED',
      'S,SERVER DISCONNECTED',
      'O',
      'S,SERVER CONNECTED',
    ]);
    // L1 heard nothing of it and got nothing more.
    expect(l1.commands()).toHaveLength(5);
    // The wait for S,SERVER CONNECTED is over: no timeout later.
    r.advanceMs(60_000);
    expect(r.status('L2').connected).toBe(true);
    expect(r.rec.events('L2')).toHaveLength(1);
  });

  it('asks for the depth link with c when Level 2 greets with S,SERVER DISCONNECTED, then watches again', async () => {
    const r = await rig({ ...QUIET, symbols: ['AAPL'] });
    r.port.L2.onAccept = (c) => c.write('S,SERVER DISCONNECTED\r\n');
    await r.feed.start();
    const l2 = await r.port.L2.waitForConn(1);
    await l2.waitForCommands(4);
    expect(l2.commands()).toEqual(['S,SET PROTOCOL,6.2', 'S,SET CLIENT NAME,l2h-collector', 'WPL,AAPL', 'c']);
    l2.write('S,SERVER CONNECTED\r\n');
    await l2.waitForCommands(5);
    expect(l2.commands()[4]).toBe('WPL,AAPL');
    expect(r.status('L2').serverConnected).toBe(true);
  });

  it('reconnects when S,SERVER CONNECTED does not follow within serverReconnectTimeoutMs', async () => {
    const r = await rig({ ...QUIET, serverReconnectTimeoutMs: 30_000 });
    r.port.L1.onAccept = (c) => c.write('S,SERVER CONNECTED\n');
    await r.feed.start();
    const l1 = await r.port.L1.waitForConn(1);
    await waitFor(() => r.rec.linesOf('L1').length === 1, 'banner');
    r.advanceMs(1000);
    l1.write('S,SERVER RECONNECT FAILED\nS,SERVER DISCONNECTED\n');
    await waitFor(() => r.status('L1').serverConnected === false, 'L1 down');
    expect(r.log()).toMatch(/gave up reconnecting to DTN/);
    r.advanceMs(29_999);
    expect(r.rec.events('L1')).toHaveLength(1);
    r.advanceMs(1);
    await waitFor(() => r.rec.events('L1').length === 2, 'the disconnect');
    expect(r.rec.events('L1')[1]).toMatchObject({
      reason: 'server-disconnected',
      detail: 'no S,SERVER CONNECTED within 30000 ms of S,SERVER DISCONNECTED',
    });
    await l1.waitClosed();
    r.advanceMs(r.status('L1').retryInMs ?? 0);
    const again = await r.port.L1.waitForConn(2);
    await again.waitForCommands(4);
    await waitFor(() => r.status('L1').serverConnected === true, 'up again');
  });

  it('does not count time paused against IQConnect', async () => {
    const r = await rig({ ...QUIET, serverReconnectTimeoutMs: 30_000 });
    await r.feed.start();
    const l1 = await r.port.L1.waitForConn(1);
    l1.write('S,SERVER DISCONNECTED\n');
    await waitFor(() => r.status('L1').serverConnected === false, 'L1 down');
    r.advanceMs(20_000);
    r.feed.pause();
    r.advanceMs(60_000);
    expect(r.rec.events('L1')).toHaveLength(1);
    r.feed.resume();
    // The 20 s waited before the pause still count: 10 s are left.
    r.advanceMs(9_999);
    expect(r.rec.events('L1')).toHaveLength(1);
    r.advanceMs(1);
    await waitFor(() => r.rec.events('L1').length === 2, 'the disconnect');
    expect(r.rec.events('L1')[1].reason).toBe('server-disconnected');
  });

  it('reconnects a port stuck without DTN although the collector pauses and resumes every second', async () => {
    const r = await rig({ ...QUIET, serverReconnectTimeoutMs: 30_000 });
    r.port.L2.onAccept = (c) => c.write('S,SERVER DISCONNECTED\r\n');
    await r.feed.start();
    await r.port.L2.waitForConn(1);
    await waitFor(() => r.status('L2').serverConnected === false, 'L2 down');
    yieldEverySecond(r, 29);
    // 29 s waited, plus 290 ms paused that do not count.
    r.advanceMs(999);
    expect(r.rec.events('L2')).toHaveLength(1);
    r.advanceMs(1);
    await waitFor(() => r.rec.events('L2').length === 2, 'the disconnect', 2000);
    expect(r.rec.events('L2')[1]).toMatchObject({
      reason: 'server-disconnected',
      detail: 'no S,SERVER CONNECTED within 30000 ms of S,SERVER DISCONNECTED',
    });
  });
});
