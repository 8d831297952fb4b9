/**
 * A command line over the 64 KiB bound is dropped whole, up to its terminator, and answered once
 * with the syntax error: no piece of it is ever taken as a command (review d05).
 */
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../common/clock.js';
import { easternToEpochUs } from '../../../common/eastern-time.js';
import { MAX_COMMAND_BYTES } from '../../../simulator/session/session.js';
import { startSim, stopAfterEach, TestClient, within, writeTape } from '../helpers.js';

const START_US = easternToEpochUs('2021-06-30', '09:30:00');
const { sims, clients } = stopAfterEach();

async function setup(): Promise<Awaited<ReturnType<typeof startSim>>> {
  const tape = writeTape({ symbols: 'AAPL', 'start-us': String(START_US) }, [
    [0, 'L1', 'Q,AAPL,134.6300,200,09:30:00.000001,11,1000,134.6100,100,134.6500,200,,,,,C,01,'],
  ]);
  const sim = await startSim({ tape, clock: new ManualClock(0) });
  sims.push(sim);
  return sim;
}

describe('over-long command lines', () => {
  it('drops the whole line on L1: junk ending in a watch watches nothing', async () => {
    const sim = await setup();
    const c = await TestClient.connect(sim.ports.L1, 'L1');
    clients.push(c);
    // Sent in several writes so the line crosses the bound before its terminator arrives.
    c.socket.write('X'.repeat(MAX_COMMAND_BYTES));
    c.socket.write('X'.repeat(1000));
    c.send(['wAAPL', 'S,REQUEST WATCHES']);
    await c.waitForLine((l) => l.startsWith('S,WATCHES'), 'S,WATCHES');
    const replies = c.lines().filter((l) => l.startsWith('E,') || l.startsWith('S,WATCHES'));
    expect(replies).toEqual(['E,!SYNTAX_ERROR!,', 'S,WATCHES']);
  });

  it('answers an over-long line once and takes the line after it', async () => {
    const sim = await setup();
    const c = await TestClient.connect(sim.ports.L1, 'L1');
    clients.push(c);
    c.send(['Y'.repeat(MAX_COMMAND_BYTES + 10), 'wAAPL', 'S,REQUEST WATCHES']);
    await c.waitForLine((l) => l.startsWith('S,WATCHES'), 'S,WATCHES');
    const replies = c.lines().filter((l) => l.startsWith('E,') || l.startsWith('S,WATCHES'));
    expect(replies).toEqual(['E,!SYNTAX_ERROR!,', 'S,WATCHES,AAPL']);
  });

  it('does not end the run on junk ending in S,L2H END on the admin port', async () => {
    const sim = await setup();
    const a = await TestClient.connect(sim.ports.ADMIN, 'ADMIN');
    clients.push(a);
    a.send(['Y'.repeat(MAX_COMMAND_BYTES) + 'S,L2H END', 'S,REQUEST STATS']);
    await a.waitForLine((l) => l.startsWith('S,STATS'), 'S,STATS');
    expect(a.lines().filter((l) => l.startsWith('E,'))).toEqual(['E,!SYNTAX_ERROR!,']);
    expect(await within(sim.finished, 200)).toBe('pending');
  });
});
