/**
 * An admin client that stops reading never holds the replay: its periodic STATS/CLIENTSTATS are
 * skipped while it is over its bound, and every other client gets the whole tape (review d08).
 */
import { describe, expect, it } from 'vitest';
import { easternToEpochUs } from '../../../common/eastern-time.js';
import {
  startSim,
  stopAfterEach,
  type TapeBody,
  TestClient,
  waitFor,
  within,
  writeTape,
} from '../helpers.js';

const START_US = easternToEpochUs('2021-06-30', '04:00:00');
const HOUR_US = 3_600_000_000;
const { sims, clients } = stopAfterEach();

/** One quote an hour for 20 hours: 72,000 STATS seconds in between, few data lines. */
const BODY: TapeBody = Array.from({ length: 20 }, (_, i) => [
  i * HOUR_US,
  'L1',
  `Q,AAPL,134.${String(i).padStart(2, '0')},200,09:30:00.000001,11,1000,134.6100,100,134.6500,200,,,,,C,01,`,
]);

describe('admin backpressure', () => {
  it('skips the pushes of an admin client that stopped reading; the replay goes on for the others', async () => {
    const tape = writeTape({ symbols: 'AAPL', 'start-us': String(START_US) }, BODY);
    const sim = await startSim({ tape, speed: 'max', maxQueueKb: 64 });
    sims.push(sim);
    const admin = await TestClient.connect(sim.ports.ADMIN, 'ADMIN');
    clients.push(admin);
    admin.socket.pause();
    admin.send('S,CLIENTSTATS ON');
    const l1 = await TestClient.connect(sim.ports.L1, 'L1');
    clients.push(l1);
    l1.send(['S,SET PROTOCOL,6.2', 'wAAPL']);
    await waitFor(
      () => l1.lines().filter((l) => l.startsWith('Q,AAPL')).length === 20,
      'all 20 quotes',
      15_000,
    );
    expect(await within(sim.tapeEnd, 5_000)).toBeUndefined();
    // It is still connected, and once it reads again the pushes resume.
    const before = admin.byteCount;
    admin.socket.resume();
    await waitFor(() => admin.byteCount > before, 'admin bytes after resuming');
    const report = sim.stats().connections.find((c) => c.channel === 'ADMIN');
    expect(report?.open).toBe(true);
    expect(report?.stalls).toBeGreaterThan(0);
  }, 30_000);
});
