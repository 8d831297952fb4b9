/**
 * After the tape, a connection that stopped reading is closed and reported once it has taken
 * nothing for `stuckAfterMs`: `tape-end` and `exitAtEnd` do not wait for it forever (review d09).
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

const START_US = easternToEpochUs('2021-06-30', '09:30:00');
const D = '09:30:00.000100,2021-06-30,';
const { sims, clients } = stopAfterEach();

/** About 8 MB of depth rows: far more than a socket pair holds for a client that never reads. */
const BODY: TapeBody = Array.from({ length: 120_000 }, (_, i) => [
  i * 10,
  'L2',
  `8,AAPL,B,${(100 + (i % 50) / 100).toFixed(4)},${100 + (i % 97)},1,4,${D}`,
]);

describe('a connection stuck after the tape', () => {
  it('is closed and reported, and the run ends with --exit-at-end', async () => {
    const tape = writeTape({ symbols: 'AAPL', l2: 'AAPL=mbp', 'start-us': String(START_US) }, BODY);
    const sim = await startSim({
      tape,
      speed: 'max',
      exitAtEnd: true,
      maxQueueKb: 256,
      stuckAfterMs: 500,
    });
    sims.push(sim);
    const good = await TestClient.connect(sim.ports.L2, 'L2');
    const bad = await TestClient.connect(sim.ports.L2, 'L2');
    clients.push(good, bad);
    bad.socket.pause();
    good.send(['S,SET PROTOCOL,6.2', 'WPL,AAPL']);
    await waitFor(() => good.byteCount > 0, 'the reading client to be greeted');
    bad.send(['S,SET PROTOCOL,6.2', 'WPL,AAPL']);
    expect(await within(sim.tapeEnd, 20_000)).toBeUndefined();
    const stats = await within(sim.finished, 5_000);
    if (stats === 'pending') throw new Error('the run did not end');
    const [g, b] = stats.connections;
    expect(g?.closedStuck).toBeUndefined();
    expect(g?.open).toBe(true);
    expect(good.lines().length).toBeGreaterThan(BODY.length / 2);
    expect(b?.closedStuck?.linesBehind).toBeGreaterThan(0);
    expect(b?.open).toBe(false);
  }, 40_000);
});
