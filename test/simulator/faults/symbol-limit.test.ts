/**
 * The per-connection symbol limit: past it a watch is answered `S,SYMBOL LIMIT REACHED,<sym>`
 * as IQConnect answers past the account's limit, on L1 and on L2, and nothing of that symbol
 * is sent to the connection.
 */
import { describe, expect, it } from 'vitest';
import { startSim, stopAfterEach, TestClient, writeTape } from '../helpers.js';

const D = '09:30:00.000000,2024-06-21,';
const { sims, clients } = stopAfterEach();

describe('symbol limit', () => {
  it('refuses the watch past the limit on L1 and L2', async () => {
    const tape = writeTape({ symbols: 'AAPL,MSFT,IBM', l2: 'mbp', date: '2024-06-21' }, [
      [0, 'L2', `7,AAPL,B,100.00,1,1,${D}`],
      [0, 'L2', `7,MSFT,B,200.00,1,1,${D}`],
      [0, 'L2', `7,IBM,B,300.00,1,1,${D}`],
      [0, 'L1', 'Q,AAPL,1,,,,,,,,,,,,,,'],
    ]);
    const sim = await startSim({ tape, speed: 'max', maxSymbols: 2, start: 'now' });
    sims.push(sim);
    const l2 = await TestClient.connect(sim.ports.L2, 'L2');
    const l1 = await TestClient.connect(sim.ports.L1, 'L1');
    clients.push(l1, l2);
    l2.send(['WPL,AAPL', 'WPL,MSFT', 'WPL,IBM', 'WPL,AAPL']);
    l1.send(['wAAPL', 'wMSFT', 'wIBM']);
    await l2.waitForLine((l) => l === 'S,SYMBOL LIMIT REACHED,IBM', 'the L2 refusal');
    await l1.waitForLine((l) => l === 'S,SYMBOL LIMIT REACHED,IBM', 'the L1 refusal');
    // Watching a symbol it already has is no new symbol: no refusal for the second WPL,AAPL.
    expect(l2.lines().filter((l) => l.startsWith('S,SYMBOL LIMIT')).length).toBe(1);
    expect(l2.lines().some((l) => l.startsWith('7,IBM'))).toBe(false);
  });
});
