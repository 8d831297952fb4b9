/**
 * IQConnect's link to DTN (IQFEED-PROTOCOL.md §4, §6.1, §10): S,DISCONNECT / S,CONNECT (admin or
 * L1) and L2 `x` / `c` tell every streaming connection, clear depth clients' books, hold the
 * tape's lines back while down and send the current state on reconnect (review d01, d02, d07).
 */
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../common/clock.js';
import { easternToEpochUs } from '../../../common/eastern-time.js';
import type { SimulatorHandle } from '../../../simulator/index.js';
import { startSim, stopAfterEach, type TapeBody, TestClient, waitFor, writeTape } from '../helpers.js';

const START_US = easternToEpochUs('2021-06-30', '09:30:00');
const D = '09:30:00.000100,2021-06-30,';
const q = (price: string, size: number): string =>
  `Q,AAPL,${price},${size},09:30:00.000001,11,1000,134.6100,100,134.6500,200,,,,,C,01,`;
const BODY: TapeBody = [
  [0, 'L1', q('134.6300', 1)],
  [0, 'L2', `7,AAPL,B,134.6200,100,2,4,${D}`],
  [1_000_000, 'L1', q('134.6400', 2)],
  [1_000_000, 'L2', `8,AAPL,B,134.6300,50,1,4,${D}`],
  // While the link is down: lost to the clients, yet part of the state sent on reconnect.
  [2_000_000, 'L1', q('134.6500', 3)],
  [2_000_000, 'L2', `8,AAPL,A,134.7000,5,1,4,${D}`],
  [3_000_000, 'L1', q('134.6600', 4)],
  [3_000_000, 'L2', `9,AAPL,B,134.6200,${D}`],
];

const { sims, clients } = stopAfterEach();

interface Setup {
  readonly sim: SimulatorHandle;
  readonly clock: ManualClock;
  readonly l1: TestClient;
  readonly l2: TestClient;
}

async function setup(): Promise<Setup> {
  const tape = writeTape({ symbols: 'AAPL', l2: 'AAPL=mbp', 'start-us': String(START_US) }, BODY);
  const clock = new ManualClock(1_000_000);
  const sim = await startSim({ tape, clock, start: 'all-watched' });
  sims.push(sim);
  const l1 = await TestClient.connect(sim.ports.L1, 'L1');
  const l2 = await TestClient.connect(sim.ports.L2, 'L2');
  clients.push(l1, l2);
  l1.send(['S,SET PROTOCOL,6.2', 'wAAPL']);
  await l1.waitForLine((l) => l.startsWith('S,CURRENT UPDATE'), 'L1 protocol');
  l2.send(['S,SET PROTOCOL,6.2', 'WPL,AAPL']);
  return { sim, clock, l1, l2 };
}

/** Advance the replay to `us` after its start and wait until it took every line due by then. */
async function replayTo(s: Setup, us: number, lines: number): Promise<void> {
  s.clock.advanceUs(us);
  await waitFor(() => s.sim.stats().replay.linesReplayed >= lines, `${lines} lines replayed`);
}

/** The lines after the first one starting with `from`, timestamps left out. */
const linesAfter = (c: TestClient, from: string): string[] => {
  const lines = c.lines().filter((l) => !l.startsWith('T,'));
  return lines.slice(lines.findIndex((l) => l.startsWith(from)) + 1);
};

describe('server link', () => {
  it('S,DISCONNECT / S,CONNECT on the admin port reach every streaming client, and STATS', async () => {
    const s = await setup();
    const admin = await TestClient.connect(s.sim.ports.ADMIN, 'ADMIN');
    clients.push(admin);
    await replayTo(s, 1_500_000, 4);
    await waitFor(() => s.l2.lines().some((l) => l.startsWith('8,')), 'the first L2 update');
    admin.send('S,DISCONNECT');
    await s.l2.waitForLine((l) => l === 'S,CLEAR DEPTH,AAPL,A,', 'CLEAR DEPTH');
    await replayTo(s, 1_000_000, 6);
    admin.send('S,CONNECT');
    await s.l2.waitForLine((l) => l.startsWith('7,AAPL,A'), 'the snapshot on reconnect');
    await replayTo(s, 1_000_000, 8);
    await s.sim.tapeEnd;
    await waitFor(() => s.l1.lines().some((l) => l.startsWith('Q,AAPL,134.6600')), 'the last quote');
    await waitFor(() => s.l2.lines().some((l) => l.startsWith('9,')), 'the last row');

    expect(
      linesAfter(s.l1, 'S,CURRENT UPDATE FIELDNAMES,').map((l) => l.split(',').slice(0, 3).join(',')),
    ).toEqual([
      'Q,AAPL,134.6300',
      'Q,AAPL,134.6400',
      'S,SERVER DISCONNECTED',
      'S,SERVER CONNECTED',
      'F,AAPL,',
      'P,AAPL,134.6500',
      'Q,AAPL,134.6600',
    ]);
    expect(linesAfter(s.l2, 'S,CURRENT PROTOCOL,6.2,')).toEqual([
      `7,AAPL,B,134.6200,100,2,4,${D}`,
      `8,AAPL,B,134.6300,50,1,4,${D}`,
      'S,SERVER DISCONNECTED',
      'S,CLEAR DEPTH,AAPL,B,',
      'S,CLEAR DEPTH,AAPL,A,',
      'S,SERVER CONNECTED',
      `7,AAPL,B,134.6300,50,1,4,${D}`,
      `7,AAPL,B,134.6200,100,2,4,${D}`,
      `7,AAPL,A,134.7000,5,1,4,${D}`,
      `9,AAPL,B,134.6200,${D}`,
    ]);
    const stats = admin
      .lines()
      .filter((l) => l.startsWith('S,STATS'))
      .map((l) => l.split(','));
    // [status, reconnections] of every STATS line, in order, without repeats.
    const seen = stats.map((f) => `${f[12]}/${f[8]}`).filter((v, i, a) => a[i - 1] !== v);
    expect(seen.slice(-3)).toEqual(['Connected/0', 'Not Connected/0', 'Connected/1']);
    expect(s.sim.stats().replay.linesLostToLinkDown).toBe(2);
  });

  it('L2 x / c take the depth link only; L1 S,DISCONNECT takes both; a repeat answers its sender', async () => {
    const s = await setup();
    await replayTo(s, 500_000, 2);
    await waitFor(() => s.l2.lines().some((l) => l.startsWith('7,')), 'the first L2 row');
    s.l2.send(['x', 'x']);
    await waitFor(() => s.l2.lines().filter((l) => l === 'S,SERVER DISCONNECTED').length === 2, 'two x');
    s.l2.send('c');
    await s.l2.waitForLine((l) => l === 'S,SERVER CONNECTED', 'c');
    s.l1.send(['S,DISCONNECT', 'S,REQUEST WATCHES']);
    await s.l1.waitForLine((l) => l.startsWith('S,WATCHES'), 'the L1 marker');
    await waitFor(() => s.l2.lines().filter((l) => l === 'S,SERVER DISCONNECTED').length === 3, 'L2 told');
    expect(s.l1.lines().filter((l) => l.startsWith('S,SERVER'))).toEqual([
      'S,SERVER CONNECTED',
      'S,SERVER DISCONNECTED',
    ]);
    expect(s.l2.lines().filter((l) => l.startsWith('S,'))).toEqual([
      'S,SERVER CONNECTED',
      'S,CURRENT PROTOCOL,6.2,',
      'S,SERVER DISCONNECTED',
      'S,CLEAR DEPTH,AAPL,B,',
      'S,CLEAR DEPTH,AAPL,A,',
      'S,SERVER DISCONNECTED', // the second x: already down, its sender is told so
      'S,SERVER CONNECTED',
      'S,SERVER DISCONNECTED',
      'S,CLEAR DEPTH,AAPL,B,',
      'S,CLEAR DEPTH,AAPL,A,',
    ]);
    // A connection accepted while down is greeted with the status it is in.
    const late = await TestClient.connect(s.sim.ports.L2, 'L2');
    clients.push(late);
    await late.waitForLines(1);
    expect(late.lines()[0]).toBe('S,SERVER DISCONNECTED');
  });

  it('puts a connection behind the replay back on it first: no older row follows its reconnect state', async () => {
    // Each row's size is its number: a row older than the state sent on reconnect is smaller.
    const rows: TapeBody = Array.from({ length: 200_000 }, (_, i) => [
      i * 10,
      'L2',
      `8,AAPL,B,${(100 + (i % 50) / 100).toFixed(4)},${i + 1},1,4,${D}`,
    ]);
    const tape = writeTape({ symbols: 'AAPL', l2: 'AAPL=mbp', 'start-us': String(START_US) }, rows);
    const sim = await startSim({ tape, speed: 'max', maxQueueKb: 64 });
    sims.push(sim);
    const slow = await TestClient.connect(sim.ports.L2, 'L2');
    const admin = await TestClient.connect(sim.ports.ADMIN, 'ADMIN');
    clients.push(slow, admin);
    slow.socket.pause();
    slow.send(['S,SET PROTOCOL,6.2', 'WPL,AAPL']);
    await waitFor(() => (sim.stats().connections[0]?.stalls ?? 0) > 0, 'the slow client to fall behind');
    admin.send(['S,DISCONNECT', 'S,CONNECT']);
    await waitFor(
      () => admin.lines().filter((l) => l.startsWith('S,STATS')).length >= 2,
      'the admin replies',
    );
    slow.socket.resume();
    await slow.waitForLine((l) => l === 'S,SERVER CONNECTED', 'the reconnect');
    await sim.tapeEnd;
    await waitFor(() => slow.byteCount === sim.stats().connections[0]?.bytes, 'every byte');
    const lines = slow.lines().filter((l) => !l.startsWith('T,'));
    const down = lines.indexOf('S,SERVER DISCONNECTED');
    const up = lines.lastIndexOf('S,SERVER CONNECTED');
    expect(lines.slice(down, down + 4)).toEqual([
      'S,SERVER DISCONNECTED',
      'S,CLEAR DEPTH,AAPL,B,',
      'S,CLEAR DEPTH,AAPL,A,',
      'S,SERVER CONNECTED',
    ]);
    const size = (l: string): number => Number(l.split(',')[4]);
    const snapshot = lines.slice(up + 1).filter((l) => l.startsWith('7,'));
    expect(snapshot.length).toBe(50);
    const newest = Math.max(...snapshot.map(size));
    expect(lines.slice(up + 1).filter((l) => l.startsWith('8,') && size(l) <= newest)).toEqual([]);
    expect(lines.filter((l) => l.startsWith('8,')).length).toBeLessThan(rows.length);
  }, 30_000);
});
