import { describe, expect, it } from 'vitest';
import { isDecodeError, L2Decoder } from '../../../collector/protocol/index.js';
import { ManualClock } from '../../../common/clock.js';
import type { SimulatorHandle } from '../../../simulator/index.js';
import { startSim, stopAfterEach, type TapeBody, TestClient, waitFor, writeTape } from '../helpers.js';

const D = '09:30:00.000100,2022-04-01,';
const BODY: TapeBody = [
  // Offset 0 is the replay's origin (due at the start); an admin line is never forwarded.
  [0, 'ADMIN', 'S,STATS,,,0,0,1,0,0,0,,,Not Connected,6.2.0.25,"490914",0,0.0,0.0,0.08,0.08,0.08,'],
  // AAPL by price, MSFT by order (with Nasdaq market-maker rows), IBM legacy market maker.
  [1000, 'L2', `7,AAPL,B,134.6200,100,2,4,${D}`],
  [1000, 'L2', `7,AAPL,B,134.6100,300,1,4,${D}`],
  [1000, 'L2', `7,AAPL,A,134.6500,700,3,4,${D}`],
  [1000, 'L2', `6,MSFT,648907593934,,B,250.10,100,12440218202,2,${D}`],
  [1000, 'L2', `6,MSFT,648907593935,,A,250.30,50,12440218203,2,${D}`],
  [1000, 'L2', 'Z,IBM,NSDQ,140.10,140.30,100,200,09:30:00.000100,2022-04-01,52,09:30:00.000100,T,T,F,'],
  [2000, 'L2', `8,AAPL,B,134.6300,50,1,4,${D}`], // new best bid
  [2000, 'L2', `9,AAPL,B,134.6100,${D}`], // level gone
  [2000, 'L2', `8,AAPL,A,134.6500,600,2,4,${D}`], // size change
  [2000, 'L2', `3,MSFT,648907593936,,B,250.20,10,12440218204,2,${D}`],
  [2000, 'L2', `3,MSFT,648907593937,,B,250.20,20,12440218199,2,${D}`], // same price, earlier priority
  [2000, 'L2', `4,MSFT,,NSDQ,A,250.40,300,,2,${D}`], // market-maker row
  [2000, 'L2', `5,MSFT,648907593935,,A,${D}`],
  [2000, 'L2', '2,IBM,ARCA,140.05,140.35,300,100,09:30:00.000200,2022-04-01,52,09:30:00.000200,T,T,F,'],
  [2000, 'L2', '2,IBM,NSDQ,140.15,140.30,100,200,09:30:00.000300,2022-04-01,52,09:30:00.000300,T,T,F,'],
  [3000, 'L2', 'S,CURRENT PROTOCOL,6.2,'],
  [3000, 'L2', 'q,XYZ'],
  [3000, 'L2', 'O'],
  [4000, 'L2', 'S,CLEAR DEPTH,AAPL,A,'],
  [5000, 'L2', `8,AAPL,A,134.7000,5,1,4,${D}`],
];

const { sims, clients } = stopAfterEach();

async function setup(): Promise<{ sim: SimulatorHandle; clock: ManualClock }> {
  const tape = writeTape(
    { symbols: 'AAPL,MSFT,IBM,NODEPTH', l2: 'AAPL=mbp,MSFT=mbo,IBM=mm', date: '2022-04-01' },
    BODY,
  );
  const clock = new ManualClock(1_000_000);
  const sim = await startSim({ tape, clock, start: 'first-watch' });
  sims.push(sim);
  return { sim, clock };
}

async function client(sim: SimulatorHandle, commands: readonly string[]): Promise<TestClient> {
  const c = await TestClient.connect(sim.ports.L2, 'L2');
  clients.push(c);
  c.send([...commands, 'S,REQUEST WATCHES']);
  await c.waitForLine((l) => l.startsWith('S,WATCHES'), 'the S,WATCHES marker');
  return c;
}

function lastWatchesIndex(lines: readonly string[]): number {
  let i = lines.length - 1;
  while (i >= 0 && !lines[i].startsWith('S,WATCHES')) i--;
  return i;
}

describe('Level 2 session', () => {
  it('greets with CRLF lines, routes each family to its watchers, and answers n and q', async () => {
    const { sim, clock } = await setup();
    const byPrice = await client(sim, [
      'S,SET PROTOCOL,6.2',
      'WPL,AAPL',
      'WPL,MSFT',
      'WOR,NOPE',
      'WOR,NODEPTH',
    ]);
    const byOrder = await client(sim, ['WOR,MSFT', 'S,TIMESTAMPSOFF']);
    const legacy = await client(sim, ['wIBM', 'WPL,IBM']);
    expect(byPrice.lines().slice(0, 2)).toEqual(['S,SERVER CONNECTED', 'S,CURRENT PROTOCOL,6.2,']);
    expect(byPrice.lines()).toEqual(
      expect.arrayContaining(['q,MSFT', 'n,NOPE', 'q,NODEPTH', 'S,WATCHES,AAPL']),
    );
    expect(legacy.lines()).toContain('q,IBM');
    clock.advanceUs(10_000);
    await sim.tapeEnd;
    const counts = sim.stats().connections.map((c) => c.lines);
    await waitFor(
      () => [byPrice, byOrder, legacy].every((c, i) => c.lines().length === counts[i]),
      'all lines',
    );
    // Every line ends in CRLF.
    for (const c of [byPrice, byOrder, legacy]) {
      expect(c.text().endsWith('\r\n')).toBe(true);
      expect(
        c
          .text()
          .split('\r\n')
          .every((l) => !l.includes('\n')),
      ).toBe(true);
    }
    const rest = (c: TestClient) => c.lines().slice(lastWatchesIndex(c.lines()) + 1);
    // The first row's own time (09:30:00.000100 at the origin) puts a second boundary just before it.
    expect(rest(byPrice)[0]).toBe('T,20220401 09:30:00');
    expect(byOrder.lines().some((l) => l.startsWith('T,'))).toBe(false); // S,TIMESTAMPSOFF
    expect(rest(byPrice).filter((l) => !l.startsWith('T,'))).toEqual([
      `7,AAPL,B,134.6200,100,2,4,${D}`,
      `7,AAPL,B,134.6100,300,1,4,${D}`,
      `7,AAPL,A,134.6500,700,3,4,${D}`,
      `8,AAPL,B,134.6300,50,1,4,${D}`,
      `9,AAPL,B,134.6100,${D}`,
      `8,AAPL,A,134.6500,600,2,4,${D}`,
      'O',
      'S,CLEAR DEPTH,AAPL,A,',
      `8,AAPL,A,134.7000,5,1,4,${D}`,
    ]);
    expect(rest(byOrder)).toEqual([
      `6,MSFT,648907593934,,B,250.10,100,12440218202,2,${D}`,
      `6,MSFT,648907593935,,A,250.30,50,12440218203,2,${D}`,
      `3,MSFT,648907593936,,B,250.20,10,12440218204,2,${D}`,
      `3,MSFT,648907593937,,B,250.20,20,12440218199,2,${D}`,
      `4,MSFT,,NSDQ,A,250.40,300,,2,${D}`,
      `5,MSFT,648907593935,,A,${D}`,
      'O',
    ]);
    expect(rest(legacy).filter((l) => !l.startsWith('T,'))).toEqual([
      'Z,IBM,NSDQ,140.10,140.30,100,200,09:30:00.000100,2022-04-01,52,09:30:00.000100,T,T,F,',
      '2,IBM,ARCA,140.05,140.35,300,100,09:30:00.000200,2022-04-01,52,09:30:00.000200,T,T,F,',
      '2,IBM,NSDQ,140.15,140.30,100,200,09:30:00.000300,2022-04-01,52,09:30:00.000300,T,T,F,',
      'O',
    ]);
    const decoder = new L2Decoder();
    // S,WATCHES (our marker) is left out: the codec's L2 decoder does not list it as an L2 reply.
    const all = [...byPrice.lines(), ...byOrder.lines(), ...legacy.lines()].filter(
      (l) => !l.startsWith('S,WATCHES'),
    );
    for (const line of all) {
      const m = decoder.decode(line);
      expect(isDecodeError(m) ? m.error : null).toBeNull();
    }
  });

  it('sends a mid-replay watcher the book as summary rows (raw text, bids best first, then asks), and again on re-watch', async () => {
    const { sim, clock } = await setup();
    await client(sim, ['WPL,AAPL']);
    clock.advanceUs(2_500);
    await waitFor(() => sim.stats().replay.linesReplayed >= 15, 'the updates replayed');
    const late = await client(sim, ['WPL,AAPL', 'WOR,MSFT', 'wIBM', 'WPL,AAPL']);
    const summaryRows = late.lines().filter((l) => /^[76Z],/.test(l));
    const aapl = [
      `7,AAPL,B,134.6300,50,1,4,${D}`,
      `7,AAPL,B,134.6200,100,2,4,${D}`,
      `7,AAPL,A,134.6500,600,2,4,${D}`,
    ];
    expect(summaryRows).toEqual([
      ...aapl,
      // bids by price, then priority at the same price; asks; the MM row keyed by (MMID, side)
      `6,MSFT,648907593937,,B,250.20,20,12440218199,2,${D}`,
      `6,MSFT,648907593936,,B,250.20,10,12440218204,2,${D}`,
      `6,MSFT,648907593934,,B,250.10,100,12440218202,2,${D}`,
      `6,MSFT,,NSDQ,A,250.40,300,,2,${D}`,
      // legacy rows: best bid first, 2 rows go out as Z
      'Z,IBM,NSDQ,140.15,140.30,100,200,09:30:00.000300,2022-04-01,52,09:30:00.000300,T,T,F,',
      'Z,IBM,ARCA,140.05,140.35,300,100,09:30:00.000200,2022-04-01,52,09:30:00.000200,T,T,F,',
      ...aapl, // the re-watch resyncs
    ]);
    clock.advanceUs(10_000);
    await sim.tapeEnd;
    // After CLEAR DEPTH of the asks, a new watcher sees the bids and the one new ask only.
    const after = await client(sim, ['WPL,AAPL']);
    expect(after.lines().filter((l) => l.startsWith('7,'))).toEqual([
      `7,AAPL,B,134.6300,50,1,4,${D}`,
      `7,AAPL,B,134.6200,100,2,4,${D}`,
      `7,AAPL,A,134.7000,5,1,4,${D}`,
    ]);
  });

  it('stops a family with RPL/ROR and every L2 watch of a symbol with r', async () => {
    const { sim, clock } = await setup();
    const c = await client(sim, [
      'WPL,AAPL',
      'WOR,MSFT',
      'wIBM',
      'S,REQUEST WATCHES',
      'RPL,AAPL',
      'ROR,MSFT',
      'rIBM',
    ]);
    expect(c.lines().filter((l) => l.startsWith('S,WATCHES'))).toEqual([
      'S,WATCHES,AAPL,MSFT,IBM',
      'S,WATCHES',
    ]);
    clock.advanceUs(10_000);
    await sim.tapeEnd;
    await waitFor(() => c.lines().length === sim.stats().connections[0].lines, 'all lines');
    const rest = c.lines().slice(lastWatchesIndex(c.lines()) + 1);
    expect(rest.filter((l) => !l.startsWith('T,'))).toEqual(['O']);
  });
});
