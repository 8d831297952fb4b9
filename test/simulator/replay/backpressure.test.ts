/**
 * Backpressure over real sockets: a client that stops reading falls behind once its queue is over
 * the bound, while the replay and every other client go on; its queue stays bounded; when it
 * reads again it is served from the tape until it has caught up, and gets every line, in order,
 * the same bytes as a client that never fell behind; the stall is counted.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../common/clock.js';
import { bigTape, startSim, stopAfterEach, TestClient, waitFor } from '../helpers.js';

const { sims, clients } = stopAfterEach();

describe('backpressure', () => {
  it('a client that stops reading falls behind alone, stays bounded, and catches up from the tape', async () => {
    const { path, rows } = bigTape(220_000);
    const maxQueueKb = 64;
    const sim = await startSim({ tape: path, speed: 'max', start: 'all-watched', maxQueueKb });
    sims.push(sim);
    const slow = await TestClient.connect(sim.ports.L2, 'L2');
    const fast = await TestClient.connect(sim.ports.L2, 'L2');
    const l1 = await TestClient.connect(sim.ports.L1, 'L1');
    clients.push(slow, fast, l1);
    for (const c of [slow, fast]) {
      c.send(['S,TIMESTAMPSOFF', 'WPL,AAPL', 'S,REQUEST WATCHES']);
      await c.waitForLine((l) => l === 'S,WATCHES,AAPL', 'the watch');
    }
    slow.socket.pause();
    let tapeEnded = false;
    void sim.tapeEnd.then(() => {
      tapeEnded = true;
    });
    l1.send('wAAPL'); // every symbol watched on both ports: the replay starts

    await waitFor(() => sim.stats().connections[0].stalls >= 1, 'the slow client to go over its bound');
    // The replay does not wait for it: it reaches the end, and the fast client gets everything.
    await waitFor(() => sim.stats().replay.tapeEnded, 'the live replay to reach the end of the tape');
    await waitFor(
      () => fast.lines().length === 2 + rows.length && fast.byteCount === sim.stats().connections[1].bytes,
      'the fast client to receive the whole tape',
    );
    const behind = sim.stats().connections[0];
    expect(behind.lines).toBeLessThan(2 + rows.length);
    // The tape is not over for everyone until the slow client has it all.
    expect(tapeEnded).toBe(false);

    slow.socket.resume();
    await sim.tapeEnd;
    const stats = sim.stats();
    const [s, f] = stats.connections;
    await waitFor(
      () => slow.byteCount === s.bytes && fast.byteCount === f.bytes,
      'every byte delivered',
      30_000,
    );

    // Nothing dropped or reordered: both got the banner, the replies and every row in order.
    const expected = ['S,SERVER CONNECTED', 'S,WATCHES,AAPL', ...rows];
    for (const c of [slow, fast]) {
      const got = c.lines();
      expect(got.length).toBe(expected.length);
      expect(got[0]).toBe(expected[0]);
      expect(got.slice(2)).toEqual(rows);
    }
    expect(slow.sha256()).toBe(s.sha256Raw);
    expect(fast.sha256()).toBe(f.sha256Raw);
    expect(s.sha256Raw).toBe(f.sha256Raw);
    const linesDigest = createHash('sha256')
      .update(expected.map((l) => `${l}\n`).join(''), 'latin1')
      .digest('hex');
    expect(s.sha256Lines).toBe(linesDigest);
    // Per type, every row counted once per client, whichever cursor sent it.
    expect(stats.types.L2['8']).toBe(2 * rows.length);

    // Bounded: the queue never grew past the bound by more than one line; the rest of what it
    // lacked came from the tape (lines while behind); the fast client never fell behind.
    expect(s.stalls).toBeGreaterThanOrEqual(1);
    expect(s.stalledMs).toBeGreaterThan(0);
    expect(s.linesWhileBehind).toBeGreaterThan(0);
    expect(s.lines - s.linesWhileBehind).toBe(behind.lines - behind.linesWhileBehind);
    expect(s.maxQueuedBytes).toBeGreaterThan(maxQueueKb * 1024);
    expect(s.maxQueuedBytes).toBeLessThanOrEqual(maxQueueKb * 1024 + 1024);
    expect(f.stalls).toBe(0);
    expect(f.linesWhileBehind).toBe(0);
  }, 60_000);

  it('a slow L2 reader does not starve an L1 reader of its T lines (one a second of the clock)', async () => {
    // 12.5 s of tape at 25k rows a second (~20 MB): a reader that stops goes over its bound early.
    const seconds = 12;
    const { path, rows } = bigTape(seconds * 25_000 + 12_500, 40);
    const clock = new ManualClock(10_000_000);
    const sim = await startSim({ tape: path, clock, start: 'first-watch', maxQueueKb: 64 });
    sims.push(sim);
    const l1 = await TestClient.connect(sim.ports.L1, 'L1');
    const slow = await TestClient.connect(sim.ports.L2, 'L2');
    clients.push(l1, slow);
    l1.send('S,REQUEST WATCHES');
    await l1.waitForLine((l) => l === 'S,WATCHES', 'the L1 client');
    slow.send(['WPL,AAPL', 'S,REQUEST WATCHES']);
    await slow.waitForLine((l) => l.startsWith('S,WATCHES'), 'the L2 watch');
    slow.socket.pause();

    // Step the simulator's clock 100 ms at a time; after each step, note (in that clock) when
    // each T reached the L1 client. A T due by now must have arrived before the next step.
    const arrivedAt: number[] = [];
    const startUs = clock.monoUs();
    const tLines = () => l1.lines().filter((l) => l.startsWith('T,'));
    for (let step = 1; step <= seconds * 10; step++) {
      clock.advanceUs(100_000);
      const due = Math.floor(step / 10);
      await waitFor(() => tLines().length >= due, `T number ${due} on L1`);
      while (arrivedAt.length < tLines().length) arrivedAt.push(clock.monoUs() - startUs);
    }
    const l2 = sim.stats().connections.find((c) => c.channel === 'L2')!;
    // The L2 reader did fall behind meanwhile (the test would prove nothing otherwise).
    expect(l2.stalls).toBeGreaterThanOrEqual(1);
    expect(l2.lines).toBeLessThan(rows.length / 2);
    // One T per second of the clock, none late: no gap over a second (plus the 100 ms step).
    expect(tLines()).toHaveLength(seconds);
    expect(tLines()[0]).toBe('T,20240621 09:30:01');
    const gaps = arrivedAt.slice(1).map((t, i) => t - arrivedAt[i]!);
    expect(Math.max(arrivedAt[0]!, ...gaps)).toBeLessThanOrEqual(1_100_000);

    // The slow reader then gets every row, in order, from the tape.
    slow.socket.resume();
    clock.advanceUs(1_000_000); // the tape's last half second
    await sim.tapeEnd;
    const s = sim.stats().connections.find((c) => c.channel === 'L2')!;
    await waitFor(() => slow.byteCount === s.bytes, 'every byte to the slow reader', 30_000);
    expect(slow.lines().filter((l) => l.startsWith('8,'))).toEqual(rows);
    expect(s.linesWhileBehind).toBeGreaterThan(0);
  }, 60_000);
});
