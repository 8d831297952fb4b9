/**
 * Pacing with a ManualClock: time moves only when the test says so, and the replay's timer
 * callbacks run inside `advanceUs`, so what has been sent is exact right after each step.
 */
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../common/clock.js';
import { easternToEpochUs } from '../../../common/eastern-time.js';
import type { SimulatorHandle, SimulatorOptions } from '../../../simulator/index.js';
import { startSim, stopAfterEach, type TapeBody, TestClient, waitFor, writeTape } from '../helpers.js';

const START = easternToEpochUs('2024-06-21', '09:30:00');
const row = (n: number): string =>
  `8,AAPL,B,100.${String(n).padStart(2, '0')},1,1,2,09:30:00.000000,2024-06-21,`;

const { sims, clients } = stopAfterEach();

async function run(
  body: TapeBody,
  options: Partial<SimulatorOptions> = {},
  headers: Record<string, string> = {},
): Promise<{ sim: SimulatorHandle; clock: ManualClock; probes: [number, number][]; client: TestClient }> {
  const tape = writeTape({ symbols: 'AAPL', l2: 'mbp', 'start-us': String(START), ...headers }, body);
  const clock = new ManualClock(10_000_000);
  const probes: [number, number][] = [];
  const sim = await startSim({
    tape,
    clock,
    start: 'first-watch',
    probe: (s, a) => probes.push([s, a]),
    ...options,
  });
  sims.push(sim);
  const client = await TestClient.connect(sim.ports.L2, 'L2');
  clients.push(client);
  client.send('WPL,AAPL');
  await waitFor(() => sim.stats().replay.linesReplayed >= 1, 'the first line');
  return { sim, clock, probes, client };
}

const replayed = (sim: SimulatorHandle): number => sim.stats().replay.linesReplayed;
const sentT = (sim: SimulatorHandle): number => sim.stats().types.L2.T ?? 0;

describe('pacing', () => {
  it('--speed 1 sends each line at its recorded offset, and each T at its own second', async () => {
    const body: TapeBody = [
      [0, 'L2', row(0)],
      [500, 'L2', row(1)],
      [1000, 'L2', row(2)],
      [250_000, 'L2', row(3)],
      [3_500_000, 'L2', row(4)],
    ];
    const { sim, clock, probes } = await run(body);
    expect(replayed(sim)).toBe(1);
    clock.advanceUs(499);
    expect(replayed(sim)).toBe(1);
    clock.advanceUs(1);
    expect(replayed(sim)).toBe(2);
    clock.advanceUs(500);
    expect(replayed(sim)).toBe(3);
    clock.advanceUs(248_999);
    expect(replayed(sim)).toBe(3);
    clock.advanceUs(1);
    expect(replayed(sim)).toBe(4);
    // Each simulated second's T goes when that second comes, not with the next line.
    expect(sentT(sim)).toBe(0);
    clock.advanceUs(750_000);
    expect(sentT(sim)).toBe(1);
    clock.advanceUs(2_000_000);
    expect([replayed(sim), sentT(sim)]).toEqual([4, 3]);
    clock.advanceUs(500_000);
    expect(replayed(sim)).toBe(5);
    // Every line went out exactly when scheduled.
    expect(probes).toHaveLength(5);
    for (const [scheduled, actual] of probes) expect(Math.abs(actual - scheduled)).toBeLessThan(1);
    expect(probes.map(([s]) => s - probes[0][0])).toEqual([0, 500, 1000, 250_000, 3_500_000]);
  });

  it('--speed 10 divides the recorded gaps by ten', async () => {
    const { sim, clock } = await run(
      [
        [0, 'L2', row(0)],
        [1_000_000, 'L2', row(1)],
        [1_000_010, 'L2', row(2)],
      ],
      {
        speed: 10,
      },
    );
    clock.advanceUs(99_999);
    expect(replayed(sim)).toBe(1);
    clock.advanceUs(1);
    expect(replayed(sim)).toBe(2);
    clock.advanceUs(1);
    expect(replayed(sim)).toBe(3);
  });

  it('--rate sends a fixed number of lines per second whatever the offsets', async () => {
    const body: TapeBody = [0, 1, 2, 3, 4, 5].map((i) => [i * 7_000_000, 'L2', row(i)] as const);
    const { sim, clock, probes } = await run(body, { rate: 1000 });
    for (let i = 1; i < body.length; i++) {
      clock.advanceUs(999);
      expect(replayed(sim)).toBe(i);
      clock.advanceUs(1);
      expect(replayed(sim)).toBe(i + 1);
    }
    expect(probes.map(([s]) => s - probes[0][0])).toEqual([0, 1000, 2000, 3000, 4000, 5000]);
    // The tape's time still drives T: 35 s of tape → 35 seconds crossed.
    expect(sentT(sim)).toBe(35);
  });

  it('--speed max sends everything without waiting for the clock', async () => {
    const body: TapeBody = [0, 1, 2, 3].map((i) => [i * 60_000_000, 'L2', row(i)] as const);
    const { sim, client } = await run(body, { speed: 'max' });
    await sim.tapeEnd;
    expect(replayed(sim)).toBe(4);
    await client.waitForLines(1 + 4 + 180);
    expect(client.lines().filter((l) => l.startsWith('T,'))).toHaveLength(180);
  });

  it('spreads the seconds of a long gap in the tape over slices, one T per second', async () => {
    const { sim, client } = await run(
      [
        [0, 'L2', row(0)],
        [3 * 3600 * 1_000_000, 'L2', row(1)],
      ],
      { speed: 'max', sliceLines: 500 },
    );
    await sim.tapeEnd;
    await client.waitForLines(1 + 2 + 3 * 3600);
    const t = client.lines().filter((l) => l.startsWith('T,'));
    expect(t).toHaveLength(3 * 3600);
    expect([t[0], t[t.length - 1]]).toEqual(['T,20240621 09:30:01', 'T,20240621 12:30:00']);
    expect(client.lines().at(-1)).toBe(row(1));
  });

  it('replays the tape’s own T lines on a channel instead of synthesizing them (never both)', async () => {
    const body: TapeBody = [
      [0, 'L2', row(0)],
      [0, 'L2', 'T,20240621 09:30:00'],
      [1_000_000, 'L2', 'T,20240621 09:30:01'],
      [2_000_000, 'L2', 'T,20240621 09:30:02'],
      [2_500_000, 'L2', row(1)],
    ];
    const { sim, clock, client } = await run(body);
    const l1 = await TestClient.connect(sim.ports.L1, 'L1');
    clients.push(l1);
    l1.send('S,REQUEST WATCHES');
    await l1.waitForLine((l) => l === 'S,WATCHES', 'the L1 client');
    clock.advanceUs(2_600_000);
    await sim.tapeEnd;
    await client.waitForLines(1 + 5);
    expect(client.lines().slice(1)).toEqual([
      row(0),
      'T,20240621 09:30:00',
      'T,20240621 09:30:01',
      'T,20240621 09:30:02',
      row(1),
    ]);
    // L1 has no T lines on the tape: synthesized there, one per simulated second crossed.
    await l1.waitForLines(4 + 1 + 2);
    expect(l1.lines().filter((l) => l.startsWith('T,'))).toEqual([
      'T,20240621 09:30:01',
      'T,20240621 09:30:02',
    ]);
    expect(sim.stats().replay.timestampsSynthesized).toEqual({ L1: true, L2: false });
  });

  it('after the tape, sends T once per second of the clock on both channels, from the tape’s end', async () => {
    const body: TapeBody = [
      [0, 'L2', row(0)],
      [0, 'L2', 'T,20240621 09:30:00'],
      [1_500_000, 'L2', row(1)],
    ];
    const { sim, clock, client } = await run(body);
    const l1 = await TestClient.connect(sim.ports.L1, 'L1');
    const quiet = await TestClient.connect(sim.ports.L1, 'L1');
    clients.push(l1, quiet);
    l1.send('S,REQUEST WATCHES');
    quiet.send(['S,TIMESTAMPSOFF', 'S,REQUEST WATCHES']);
    await l1.waitForLine((l) => l === 'S,WATCHES', 'the L1 client');
    await quiet.waitForLine((l) => l === 'S,WATCHES', 'the quiet L1 client');
    clock.advanceUs(1_500_000);
    await sim.tapeEnd;
    const tOf = (c: TestClient) => c.lines().filter((l) => l.startsWith('T,'));
    await client.waitForLines(1 + 3);
    await l1.waitForLines(2 + 1);
    // The tape ended at 09:30:01.5; its next whole second is half a second of the clock later.
    clock.advanceUs(499_999);
    expect(sim.stats().types.L2.T).toBe(1);
    clock.advanceUs(1);
    await client.waitForLines(1 + 4);
    expect(tOf(client).at(-1)).toBe('T,20240621 09:30:02');
    // Then one a second, forever, on L2 (whose tape had its own T lines) and L1 alike.
    clock.advanceUs(3_000_000);
    await client.waitForLines(1 + 7);
    await l1.waitForLines(2 + 5);
    expect(tOf(client)).toEqual([
      'T,20240621 09:30:00',
      'T,20240621 09:30:02',
      'T,20240621 09:30:03',
      'T,20240621 09:30:04',
      'T,20240621 09:30:05',
    ]);
    expect(tOf(l1)).toEqual([
      'T,20240621 09:30:01',
      'T,20240621 09:30:02',
      'T,20240621 09:30:03',
      'T,20240621 09:30:04',
      'T,20240621 09:30:05',
    ]);
    // Not to a client that turned them off; and the stats count every one sent.
    expect(tOf(quiet)).toEqual([]);
    expect(sim.stats().types.L2.T).toBe(5);
    expect(sim.stats().types.L1.T).toBe(5);
    expect(sim.stats().replay.simNowUs).toBe(START + 5_000_000);
  });

  it('does not start before the first watch with --start first-watch, and at once with --start now', async () => {
    const tape = writeTape({ symbols: 'AAPL', 'start-us': String(START) }, [[0, 'L2', row(0)]]);
    const waiting = await startSim({ tape, clock: new ManualClock(0), start: 'first-watch' });
    sims.push(waiting);
    const c = await TestClient.connect(waiting.ports.L2, 'L2');
    clients.push(c);
    c.send(['S,REQUEST WATCHES', 'WPL,NOPE', 'S,REQUEST WATCHES']);
    await c.waitForLines(4);
    expect(waiting.stats().replay.started).toBe(false); // an unknown symbol is not a watch
    const now = await startSim({ tape, clock: new ManualClock(0), start: 'now' });
    sims.push(now);
    await now.tapeEnd;
    expect(now.stats().replay.linesReplayed).toBe(1);
  });

  it('--start all-watched waits for every #symbols symbol on L1 and on L2', async () => {
    const tape = writeTape({ symbols: 'AAPL,MSFT', 'start-us': String(START) }, [
      [0, 'L2', row(0)],
      [0, 'L1', 'Q,MSFT,1,1,09:30:00.000000,1,1,1,1,1,1,1,1,1,1,C,01,'],
    ]);
    const sim = await startSim({ tape, clock: new ManualClock(0), start: 'all-watched' });
    sims.push(sim);
    const l2 = await TestClient.connect(sim.ports.L2, 'L2');
    const l1 = await TestClient.connect(sim.ports.L1, 'L1');
    clients.push(l1, l2);
    // MSFT has no depth: a WPL answered q still counts as asked for.
    l2.send(['WPL,AAPL', 'WPL,MSFT', 'S,REQUEST WATCHES']);
    await l2.waitForLine((l) => l.startsWith('S,WATCHES'), 'L2 watches');
    l1.send(['wAAPL', 'S,REQUEST WATCHES']);
    await l1.waitForLine((l) => l.startsWith('S,WATCHES'), 'L1 watches');
    expect(sim.stats().replay.started).toBe(false);
    l1.send(['wMSFT', 'S,REQUEST WATCHES']);
    await sim.tapeEnd;
    expect(sim.stats().replay.linesReplayed).toBe(2);
  });
});
