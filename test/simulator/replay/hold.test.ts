/**
 * `--hold-when-unwatched` (not IQConnect behaviour, for harnesses that restart their client): the
 * replay waits while a channel with tape lines has no connection watching, and goes on from the
 * same line, on the same schedule, once one watches again. Off by default: the tape runs on.
 * `--progress-every N` reports the cursor every N lines.
 */
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../common/clock.js';
import { easternToEpochUs } from '../../../common/eastern-time.js';
import type { SimulatorEvent, SimulatorHandle, SimulatorOptions } from '../../../simulator/index.js';
import { startSim, stopAfterEach, type TapeBody, TestClient, waitFor, writeTape } from '../helpers.js';

const START = easternToEpochUs('2024-06-21', '09:30:00');
const row = (n: number): string =>
  `8,AAPL,B,100.${String(n % 100).padStart(2, '0')},1,1,2,09:30:00.000000,2024-06-21,`;
const quote = 'Q,AAPL,100.0000,1,09:30:00.000000,19,1,100.0000,1,100.1000,1,99,101,99,100,C,01,';

const { sims, clients } = stopAfterEach();

/** 100 L2 rows and 10 L1 quotes, replayed at 100 lines a second (one each 10 ms). */
async function setup(options: Partial<SimulatorOptions>) {
  const body: TapeBody = Array.from({ length: 110 }, (_, i) =>
    i % 11 === 10 ? ([i * 1000, 'L1', quote] as const) : ([i * 1000, 'L2', row(i)] as const),
  );
  const tape = writeTape({ symbols: 'AAPL', l2: 'mbp', 'start-us': String(START) }, body);
  const clock = new ManualClock(10_000_000);
  const events: SimulatorEvent[] = [];
  const sim = await startSim({
    tape,
    clock,
    rate: 100,
    start: 'all-watched',
    onEvent: (e) => events.push(e),
    ...options,
  });
  sims.push(sim);
  const connect = async () => {
    const l1 = await TestClient.connect(sim.ports.L1, 'L1');
    const l2 = await TestClient.connect(sim.ports.L2, 'L2');
    clients.push(l1, l2);
    l2.send(['WPL,AAPL', 'S,REQUEST WATCHES']);
    await l2.waitForLine((l) => l.startsWith('S,WATCHES'), 'the L2 watch');
    l1.send(['wAAPL', 'S,REQUEST WATCHES']);
    await l1.waitForLine((l) => l.startsWith('S,WATCHES'), 'the L1 watch');
    return { l1, l2 };
  };
  return { sim, clock, events, connect };
}

const replayed = (sim: SimulatorHandle): number => sim.stats().replay.linesReplayed;

describe('--hold-when-unwatched', () => {
  it('holds the replay while no client watches a channel with tape lines, then goes on in step', async () => {
    const { sim, clock, events, connect } = await setup({ holdWhenUnwatched: true, progressEvery: 10 });
    const first = await connect();
    await waitFor(() => replayed(sim) === 1, 'the first line');
    clock.advanceUs(300_000);
    await waitFor(() => replayed(sim) === 31, '31 lines');
    expect(events.filter((e) => e.event === 'progress').map((e) => e.linesReplayed)).toEqual([10, 20, 30]);

    // The L2 client goes away: the replay stops where it is, however long it is gone.
    first.l2.close();
    await waitFor(() => sim.stats().replay.holds === 1, 'the hold');
    clock.advanceUs(5_000_000);
    expect(replayed(sim)).toBe(31);
    // A new L2 connection without a watch does not end the hold; its watch does.
    const l2 = await TestClient.connect(sim.ports.L2, 'L2');
    clients.push(l2);
    l2.send('S,REQUEST WATCHES');
    await l2.waitForLine((l) => l.startsWith('S,WATCHES'), 'the new L2 client');
    clock.advanceUs(1_000_000);
    expect(replayed(sim)).toBe(31);
    l2.send(['WPL,AAPL', 'S,REQUEST WATCHES']);
    await l2.waitForLine((l) => l === 'S,WATCHES,AAPL', 'the new L2 watch');
    expect(sim.stats().replay.heldMs).toBe(6000);

    // From the same line, at the same rate: the line the cursor stopped at (due when it found the
    // replay held) goes now, the rest on the schedule moved by the wait; no burst.
    await waitFor(() => replayed(sim) === 32, 'the line it stopped at');
    clock.advanceUs(9_999);
    expect(replayed(sim)).toBe(32);
    clock.advanceUs(1);
    await waitFor(() => replayed(sim) === 33, 'the next line');
    clock.advanceUs(1_000_000);
    await sim.tapeEnd;
    expect(replayed(sim)).toBe(110);
    // The new client got every row from the hold on (after its snapshot), none twice, none lost.
    await l2.waitForLine((l) => l === row(108), 'the last row');
    const rows = l2.lines().filter((l) => l.startsWith('8,'));
    const live = rows.slice(rows.length - (100 - 29));
    expect(live).toEqual(
      Array.from({ length: 110 }, (_, i) => i)
        .filter((i) => i % 11 !== 10 && i >= 31)
        .map(row),
    );
  });

  it('is off by default: the tape runs on while no client is connected', async () => {
    const { sim, clock, connect } = await setup({});
    const first = await connect();
    await waitFor(() => replayed(sim) === 1, 'the first line');
    first.l1.close();
    first.l2.close();
    await waitFor(() => sim.stats().connections.every((c) => !c.open), 'both connections closed');
    clock.advanceUs(2_000_000);
    await sim.tapeEnd;
    expect(replayed(sim)).toBe(110);
    expect(sim.stats().replay.holds).toBe(0);
  });
});
