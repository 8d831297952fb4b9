/**
 * `--wait-for-clients` (not IQConnect behaviour, for a harness with one client): an L1/L2 client
 * over its bound holds the one replay cursor until it drains, instead of falling behind and being
 * served from the tape by its own cursor. Laws: the slow client gets the bytes of a client that
 * never paused; the tape is read once (no catch-up cursor: no third open of the tape file,
 * `linesWhileBehind` 0); its queue stays within a line of its bound; a client that closes or
 * half-closes while it holds the replay lets it go on; a client that takes no more bytes once the
 * last line is queued for it is still closed and reported by the after-tape watch (the end of the
 * tape does not wait for the gate); paced, the wait shifts the rest of the schedule by its length.
 * Without the flag (backpressure.test.ts, catch-up.test.ts) the client falls behind alone.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { ManualClock } from '../../../common/clock.js';
import type { FaultSpec } from '../../../simulator/faults/spec.js';
import type { SimulatorHandle, SimulatorOptions } from '../../../simulator/index.js';
import {
  BIG_TAPE_START_US,
  bigTape,
  CountingClock,
  startSim,
  stopAfterEach,
  TestClient,
  tempDir,
  waitFor,
  within,
} from '../helpers.js';

/** Every time the simulator opens the tape: the index pre-scan, the replay, each catch-up cursor. */
const tapeOpens = vi.hoisted(() => ({ count: 0 }));
vi.mock('../../../collector/tape/reader.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../../collector/tape/reader.js')>();
  return {
    ...real,
    openTape: (...args: Parameters<typeof real.openTape>) => {
      tapeOpens.count++;
      return real.openTape(...args);
    },
  };
});

const { sims, clients } = stopAfterEach();

const MAX_QUEUE_KB = 64;
/** The longest row of `bigTape` with its CRLF: what one line may add past the bound. */
const ROW_MAX = 80;

/**
 * A simulator at `--speed max` (unless told otherwise) with L2 clients watching AAPL (`slow`,
 * paused before the replay starts, then `fast`, unless `withFast` is false) and an L1 client whose
 * watch starts the replay (`all-watched`).
 */
async function slowAndFast(
  path: string,
  options: Partial<SimulatorOptions>,
  withFast = true,
): Promise<{ sim: SimulatorHandle; slow: TestClient; fast: TestClient | null }> {
  const sim = await startSim({
    tape: path,
    speed: 'max',
    start: 'all-watched',
    maxQueueKb: MAX_QUEUE_KB,
    ...options,
  });
  sims.push(sim);
  const slow = await TestClient.connect(sim.ports.L2, 'L2');
  const fast = withFast ? await TestClient.connect(sim.ports.L2, 'L2') : null;
  const l1 = await TestClient.connect(sim.ports.L1, 'L1');
  clients.push(slow, l1, ...(fast ? [fast] : []));
  for (const c of fast ? [slow, fast] : [slow]) {
    c.send(['S,TIMESTAMPSOFF', 'WPL,AAPL', 'S,REQUEST WATCHES']);
    await c.waitForLine((l) => l === 'S,WATCHES,AAPL', 'the watch');
  }
  slow.socket.pause();
  l1.send('wAAPL'); // every symbol watched on both ports: the replay starts
  return { sim, slow, fast };
}

async function withFastClient(path: string, options: Partial<SimulatorOptions>) {
  const r = await slowAndFast(path, options);
  return { ...r, fast: r.fast! };
}

/** The slow client went over its bound, and the fast one has been given all that was sent to it. */
async function untilSlowHoldsTheReplay(sim: SimulatorHandle, fast: TestClient): Promise<void> {
  await waitFor(() => sim.stats().connections[0]!.stalls >= 1, 'the slow client to go over its bound');
  await waitFor(() => fast.byteCount === sim.stats().connections[1]!.bytes, 'the fast client to be served');
}

describe('--wait-for-clients', () => {
  it('at --speed max a client that pauses holds the replay and gets, from one pass over the tape, the bytes of one that never paused', async () => {
    const { path, rows } = bigTape(220_000);
    tapeOpens.count = 0;
    const { sim, slow, fast } = await withFastClient(path, { waitForClients: true });
    await untilSlowHoldsTheReplay(sim, fast);
    // The replay waits for the paused client: the fast one is held with it, short of the tape.
    const held = sim.stats();
    expect(held.replay.tapeEnded).toBe(false);
    expect(held.replay.linesReplayed).toBeLessThan(rows.length);
    expect(fast.lines().length).toBeLessThan(2 + rows.length);
    expect(held.connections[0]!.lines).toBe(held.connections[1]!.lines);

    slow.socket.resume();
    await sim.tapeEnd;
    const stats = sim.stats();
    const [s, f] = stats.connections;
    await waitFor(() => slow.byteCount === s!.bytes && fast.byteCount === f!.bytes, 'every byte delivered');

    // The same bytes as the client that never paused: the banner, the reply and every row.
    expect(slow.lines().slice(2)).toEqual(rows);
    expect(slow.sha256()).toBe(fast.sha256());
    expect(s!.sha256Raw).toBe(f!.sha256Raw);
    expect(slow.sha256()).toBe(s!.sha256Raw);
    expect(stats.types.L2['8']).toBe(2 * rows.length);
    // One pass: the tape was opened for the index and the replay, and for no catch-up cursor.
    expect(tapeOpens.count).toBe(2);
    expect(stats.replay.waitForClients).toBe(true);
    // The waits are counted as the slow client's stalls; nothing was sent from behind.
    expect(s!.stalls).toBeGreaterThanOrEqual(1);
    expect(s!.stalledMs).toBeGreaterThan(0);
    expect(s!.linesWhileBehind).toBe(0);
    expect(f!.stalls).toBe(0);
    expect(f!.linesWhileBehind).toBe(0);
    // Bounded: never more than a line past the bound queued.
    expect(s!.maxQueuedBytes).toBeGreaterThan(MAX_QUEUE_KB * 1024);
    expect(s!.maxQueuedBytes).toBeLessThanOrEqual(MAX_QUEUE_KB * 1024 + ROW_MAX);
  }, 60_000);

  it('without it the same client falls behind alone and is served by a second cursor over the tape', async () => {
    const { path, rows } = bigTape(220_000);
    tapeOpens.count = 0;
    const { sim, slow, fast } = await withFastClient(path, {});
    await waitFor(() => sim.stats().replay.tapeEnded, 'the live replay to reach the end of the tape');
    slow.socket.resume();
    await sim.tapeEnd;
    const [s, f] = sim.stats().connections;
    await waitFor(() => slow.byteCount === s!.bytes && fast.byteCount === f!.bytes, 'every byte delivered');
    expect(slow.lines().slice(2)).toEqual(rows);
    expect(s!.linesWhileBehind).toBeGreaterThan(0);
    expect(tapeOpens.count).toBe(3);
    expect(sim.stats().replay.waitForClients).toBe(false);
  }, 60_000);

  for (const how of ['reset', 'half-close'] as const) {
    it(`a client that ${how === 'reset' ? 'disconnects' : 'half-closes'} while it holds the replay lets it go on to tape-end`, async () => {
      const { path, rows } = bigTape(220_000);
      const { sim, slow, fast } = await withFastClient(path, { waitForClients: true });
      await untilSlowHoldsTheReplay(sim, fast);
      expect(sim.stats().replay.tapeEnded).toBe(false);
      expect(fast.lines().length).toBeLessThan(2 + rows.length);

      // Unread bytes in its buffer: closing sends an RST. A half-close sends a FIN and reads on
      // nothing; the simulator ends its side (and its wait) at once.
      if (how === 'reset') slow.close();
      else slow.socket.end();
      expect(await within(sim.tapeEnd, 20_000)).toBeUndefined();
      const [s, f] = sim.stats().connections;
      await waitFor(() => fast.byteCount === f!.bytes, 'every byte to the fast client');
      expect(fast.lines().slice(2)).toEqual(rows);
      expect(s!.open).toBe(false);
      expect(s!.stalls).toBeGreaterThanOrEqual(1);
      expect(s!.linesWhileBehind).toBe(0);
      expect(f!.linesWhileBehind).toBe(0);
    }, 60_000);
  }

  it('a client that stops taking bytes at the end of the tape is still closed and reported, and --exit-at-end ends the run', async () => {
    const { path, rows } = bigTape(220_000);
    // From the last row on, its output is held (a full buffer) far longer than the watch waits.
    const faults: FaultSpec = {
      faults: [
        { kind: 'full-buffer', channel: 'L2', symbol: 'AAPL', at: { line: rows.length - 1 }, ms: 600_000 },
      ],
    };
    tapeOpens.count = 0;
    const { sim, slow } = await slowAndFast(
      path,
      { waitForClients: true, stuckAfterMs: 500, exitAtEnd: true, faults },
      false,
    );
    // Paused, it holds the replay; then it reads again, up to the last row.
    await waitFor(() => sim.stats().connections[0]!.stalls >= 1, 'the slow client to go over its bound');
    expect(sim.stats().replay.tapeEnded).toBe(false);
    slow.socket.resume();
    expect(await within(sim.tapeEnd, 20_000)).toBeUndefined();
    const stats = await within(sim.finished, 5_000);
    if (stats === 'pending') throw new Error('the run did not end');
    expect(stats.faults?.notReached).toEqual([]);
    expect(stats.replay.linesReplayed).toBe(rows.length);
    const [s] = stats.connections;
    expect(s!.open).toBe(false);
    // Nothing behind the replay (it waited for the client); what it was owed was in its queue.
    expect(s!.closedStuck).toEqual({ linesBehind: 0, queuedBytes: expect.any(Number) });
    expect(s!.closedStuck!.queuedBytes).toBeGreaterThan(0);
    expect(s!.stalls).toBeGreaterThanOrEqual(2);
    expect(s!.linesWhileBehind).toBe(0);
    expect(tapeOpens.count).toBe(2);
    // It got every row in order up to the held ones (the last row and what was queued with it).
    const got = slow.lines().slice(2);
    expect(got).toEqual(rows.slice(0, got.length));
    expect(slow.byteCount + s!.closedStuck!.queuedBytes).toBe(s!.bytes);
  }, 60_000);

  it('the end of the tape does not wait for a gate closed after its last line', async () => {
    // One line per slice: the engine meets the gate, closed by the held output, after the last row.
    const rows = Array.from(
      { length: 50 },
      (_, i) => `8,AAPL,B,100.${String(i).padStart(2, '0')},1,1,2,09:30:00.000000,2024-06-21,`,
    );
    const path = join(tempDir(), 'small.tape');
    writeFileSync(
      path,
      `#l2tape 1\n#symbols AAPL\n#l2 mbp\n#start-us ${BIG_TAPE_START_US}\n${rows.map((r, i) => `${i}\tL2\t${r}\n`).join('')}`,
      'latin1',
    );
    const faults: FaultSpec = {
      faults: [
        { kind: 'full-buffer', channel: 'L2', symbol: 'AAPL', at: { line: rows.length - 1 }, ms: 600_000 },
      ],
    };
    const sim = await startSim({
      tape: path,
      speed: 'max',
      sliceLines: 1,
      stuckAfterMs: 300,
      exitAtEnd: true,
      waitForClients: true,
      faults,
    });
    sims.push(sim);
    const c = await TestClient.connect(sim.ports.L2, 'L2');
    clients.push(c);
    c.send(['S,TIMESTAMPSOFF', 'WPL,AAPL']);
    expect(await within(sim.tapeEnd, 10_000)).toBeUndefined();
    const stats = await within(sim.finished, 5_000);
    if (stats === 'pending') throw new Error('the run did not end');
    expect(stats.connections[0]!.closedStuck).toEqual({ linesBehind: 0, queuedBytes: expect.any(Number) });
    expect(stats.connections[0]!.closedStuck!.queuedBytes).toBeGreaterThan(0);
  }, 30_000);

  it('paced, the wait shifts the rest of the schedule by its length', async () => {
    // 2 s of tape, a row every 10 µs, at recorded speed on a clock moved by the test alone (the
    // counting clock over it shows when the replay waits for a row's time).
    const { path, rows } = bigTape(200_000, 10);
    const clock = new ManualClock(10_000_000);
    const timers = new CountingClock(clock);
    const dues: number[] = [];
    const { sim, slow } = await slowAndFast(
      path,
      { waitForClients: true, speed: 1, clock: timers, probe: (due) => dues.push(due) },
      false,
    );
    await waitFor(() => sim.stats().replay.started, 'the replay to start');
    const startUs = clock.monoUs();
    const replayed = (): number => sim.stats().replay.linesReplayed;
    // 1.5 s on: the rows up to 1.5 s are due (~9 MB); the paused client goes over its bound well
    // before, and the replay waits for it there.
    clock.advanceUs(1_500_000);
    await waitFor(() => sim.stats().connections[0]!.stalls >= 1, 'the slow client to go over its bound');
    const before = replayed();
    expect(before).toBeLessThan(150_001);
    // It waits 30 s (in the simulator's clock), then reads again.
    const waitUs = 30_000_000;
    clock.advanceUs(waitUs);
    slow.socket.resume();
    // The rows due by 1.5 s go; the next one is due 30 s later than recorded, 10 µs from now:
    // the replay waits for its time instead of sending the rest of the tape in a burst.
    await waitFor(() => timers.pendingMs().length > 0, 'the replay to wait for the next row');
    expect(replayed()).toBe(150_001);
    expect(timers.pendingMs()).toEqual([0.01]);
    expect(sim.stats().replay.tapeEnded).toBe(false);
    // With its buffers empty, the rows due as the clock moves on cannot put it over its bound
    // mid-advance: the one wait stays the only one of any length.
    await waitFor(() => slow.byteCount === sim.stats().connections[0]!.bytes, 'the rows sent so far');
    clock.advanceUs(500_000);
    await sim.tapeEnd;
    const [s] = sim.stats().connections;
    await waitFor(() => slow.byteCount === s!.bytes, 'every byte delivered');
    expect(slow.lines().slice(2)).toEqual(rows);
    expect(s!.linesWhileBehind).toBe(0);
    // The wait is the stall; every row after it is due that much later, none before.
    expect(s!.stalledMs).toBe(waitUs / 1000);
    expect(dues).toHaveLength(rows.length);
    const shifts = dues.map((due, i) => due - startUs - i * 10);
    expect(shifts.slice(0, before)).toEqual(Array(before).fill(0));
    expect(shifts.slice(before)).toEqual(Array(rows.length - before).fill(waitUs));
  }, 60_000);
});
