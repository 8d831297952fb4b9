import { describe, expect, it } from 'vitest';
import { DEFAULT_UPDATE_FIELDS, isDecodeError, L1Decoder } from '../../../collector/protocol/index.js';
import { ManualClock } from '../../../common/clock.js';
import { easternToEpochUs } from '../../../common/eastern-time.js';
import type { SimulatorHandle } from '../../../simulator/index.js';
import { startSim, stopAfterEach, type TapeBody, TestClient, waitFor, writeTape } from '../helpers.js';

const F_AAPL =
  'F,AAPL,5,29.5,74561000,145.0900,87.8200,145.0900,116.2100,,,,,,4.51,,0.07,09,APPLE,AAPL,61.100,1.28,,143713.0,105392.0,03/31/2021,98667.0,16687631,0.25 08/31/2020,0.14 06/09/2014,14,4,3571,17.50,1,21,01/25/2021,06/29/2020,01/25/2021,03/08/2021,132.6900,,,,,334220,,,,,,USD,,,,,BBG000B9XRY4,,';
const TAPE_FIELDS = 'Symbol,Last,Bid,Ask,Total Volume,Message Contents,Most Recent Trade Conditions';
const START_US = easternToEpochUs('2021-06-30', '09:30:00');

/** An L1 tape recorded with its own (non-default) field list. */
const BODY: TapeBody = [
  // Offset 0 is the replay's origin (due at the start); an admin line is never forwarded.
  [0, 'ADMIN', 'S,STATS,,,0,0,1,0,0,0,,,Not Connected,6.2.0.25,"490914",0,0.0,0.0,0.08,0.08,0.08,'],
  [1000, 'L1', `S,CURRENT UPDATE FIELDNAMES,${TAPE_FIELDS}`],
  [1000, 'L1', F_AAPL],
  [1000, 'L1', 'P,AAPL,134.6200,134.6100,134.6500,100,Cbaohlcv,01,'],
  [2000, 'L1', 'Q,AAPL,134.6300,134.6100,134.6500,200,C,01,'],
  [3000, 'L1', 'Q,AAPL,134.6300,134.6200,134.6500,200,b,,'],
  [4000, 'L1', 'S,KEY,99999'],
  [4000, 'L1', 'S,CURRENT PROTOCOL,6.2,'],
  [4000, 'L1', 'S,SERVER DISCONNECTED'],
  [4000, 'L1', 'S,SERVER CONNECTED'],
  [4000, 'L1', 'n,ZZZZ'],
  [5000, 'L1', 'N,CBW,22433515272,:MSFT:AAPL:,20210630 152823,Apple, Microsoft sign a deal, with commas'],
  [5000, 'L1', 'N,CBW,22433515273,:IBM:,20210630 152823,IBM news'],
  [6000, 'L1', 'R,AAPL,,137.0200,2100,14:44:54,137.0300,1500,14:44:54,14,4,5,'],
  [7000, 'L1', 'C,AAPL,I,O,07/16/2025,,619.0500,15000,859256116,198944,24,'],
  [8000, 'L1', 'Q,MSFT,250.1000,250.0000,250.2000,10,C,01,'],
  [8000, 'L1', 'E,a feed error,'],
  [8000, 'L1', 'O'],
  [2_500_000, 'L1', 'Q,AAPL,134.7000,134.6900,134.7100,300,Cba,01,'],
];

const { sims, clients } = stopAfterEach();

async function setup(body: TapeBody = BODY): Promise<{ sim: SimulatorHandle; clock: ManualClock }> {
  const tape = writeTape({ symbols: 'AAPL,MSFT', 'start-us': String(START_US) }, body);
  const clock = new ManualClock(5_000_000);
  const sim = await startSim({ tape, clock, start: 'first-watch' });
  sims.push(sim);
  return { sim, clock };
}

async function client(sim: SimulatorHandle, commands: readonly string[]): Promise<TestClient> {
  const c = await TestClient.connect(sim.ports.L1, 'L1');
  clients.push(c);
  c.send([...commands, 'S,REQUEST WATCHES']);
  await c.waitForLine((l) => l.startsWith('S,WATCHES'), 'the S,WATCHES marker');
  return c;
}

/** Decode what a client received in order; the decoder follows the field-list replies. */
function decodeAll(lines: readonly string[]): Record<string, unknown>[] {
  const decoder = new L1Decoder();
  // A bare `O` is an L2 form (IQFEED-PROTOCOL.md §1.3) the L1 decoder refuses; the tape put one
  // on L1 to check it is forwarded as recorded.
  return lines
    .filter((l) => l !== 'O')
    .map((l) => {
      const m = decoder.decode(l);
      if (isDecodeError(m)) throw new Error(m.error);
      return m as unknown as Record<string, unknown>;
    });
}

const linesAfter = (lines: readonly string[], marker: string): string[] =>
  lines.slice(lines.findIndex((l) => l.startsWith(marker)) + 1);

describe('Level 1 session', () => {
  it('routes by watch kind, re-projects Q/P to each client, forwards feed status, and drops the recording’s replies', async () => {
    const { sim, clock } = await setup();
    const quotes = await client(sim, ['S,SET PROTOCOL,6.2', 'wAAPL']);
    const trades = await client(sim, [
      'S,SELECT UPDATE FIELDS,Bid,Most Recent Trade,Ask,Total Volume',
      'tAAPL',
      'S,TIMESTAMPSOFF',
    ]);
    const news = await client(sim, ['S,NEWSON', 'wMSFT', 'wIBM', 'S,REGON,AAPL']);
    clock.advanceUs(3_000_000);
    await sim.tapeEnd;
    const ended = sim.stats().connections.map((c) => c.lines);
    await waitFor(
      () => [quotes, trades, news].every((c, i) => c.lines().length === ended[i]),
      'every line delivered',
    );

    // w: F and P and every Q of AAPL in the default list, feed status, E and O; no R, no N, no MSFT.
    const q = linesAfter(quotes.lines(), 'S,WATCHES');
    expect(q).toEqual([
      F_AAPL,
      'P,AAPL,,,,,100,134.6100,,134.6500,,,,,,Cbaohlcv,01,',
      'Q,AAPL,,,,,200,134.6100,,134.6500,,,,,,C,01,',
      'Q,AAPL,,,,,200,134.6200,,134.6500,,,,,,b,,',
      'S,SERVER DISCONNECTED',
      'S,SERVER CONNECTED',
      'C,AAPL,I,O,07/16/2025,,619.0500,15000,859256116,198944,24,',
      'E,a feed error,',
      'O',
      'T,20210630 09:30:01',
      'T,20210630 09:30:02',
      'Q,AAPL,,,,,300,134.6900,,134.7100,,,,,,Cba,01,',
      // After the tape the clock runs on: the next second's T is due within the 3 s advanced.
      'T,20210630 09:30:03',
    ]);
    const decoded = decodeAll(quotes.lines());
    const last = decoded.filter((m) => m['Type'] === 'Q').at(-1)!;
    expect(last).toMatchObject({ Type: 'Q', Symbol: 'AAPL', Bid: 134.69, Ask: 134.71, 'Total Volume': 300 });
    expect(last['Most Recent Trade']).toBeNull();

    // t: only trades (Message Contents with C/E/O) and the correction, in the selected list; no T.
    expect(trades.lines()).toContain(
      'S,CURRENT UPDATE FIELDNAMES,Symbol,Bid,Most Recent Trade,Ask,Total Volume',
    );
    expect(linesAfter(trades.lines(), 'S,WATCHES')).toEqual([
      'Q,AAPL,134.6100,,134.6500,200,',
      'S,SERVER DISCONNECTED',
      'S,SERVER CONNECTED',
      'C,AAPL,I,O,07/16/2025,,619.0500,15000,859256116,198944,24,',
      'E,a feed error,',
      'O',
      'Q,AAPL,134.6900,,134.7100,300,',
    ]);
    decodeAll(trades.lines());

    // NEWSON + w MSFT: the headline naming MSFT (commas and all), regional R for AAPL, MSFT's Q.
    expect(news.lines()).toContain('n,IBM');
    const n = linesAfter(news.lines(), 'S,WATCHES').filter((l) => !l.startsWith('T,'));
    expect(n).toEqual([
      'S,SERVER DISCONNECTED',
      'S,SERVER CONNECTED',
      'N,CBW,22433515272,:MSFT:AAPL:,20210630 152823,Apple, Microsoft sign a deal, with commas',
      'R,AAPL,,137.0200,2100,14:44:54,137.0300,1500,14:44:54,14,4,5,',
      'Q,MSFT,,,,,10,250.0000,,250.2000,,,,,,C,01,',
      'E,a feed error,',
      'O',
    ]);
    decodeAll(news.lines());
  });

  it('answers a mid-replay watch with F then the current P in the client’s fields, and resyncs on re-watch and f', async () => {
    const { sim, clock } = await setup();
    await client(sim, ['wAAPL']);
    clock.advanceUs(3_000_000);
    await sim.tapeEnd;
    const late = await client(sim, [
      'S,SELECT UPDATE FIELDS,Symbol,Ask,Bid,Last',
      'wAAPL',
      'wMSFT',
      'fAAPL',
      'fIBM',
    ]);
    const got = late.lines();
    const i = got.indexOf('S,CURRENT UPDATE FIELDNAMES,Symbol,Ask,Bid,Last');
    expect(got.slice(i + 1)).toEqual([
      F_AAPL,
      'P,AAPL,134.7100,134.6900,134.7000,',
      `F,MSFT${','.repeat(57)}`, // no F on the tape: only the symbol, 57 fields
      'P,MSFT,250.2000,250.0000,250.1000,',
      F_AAPL, // f: the same state again
      'P,AAPL,134.7100,134.6900,134.7000,',
      'S,WATCHES,AAPL,MSFT', // fIBM: not watched, ignored
    ]);
    const decoded = decodeAll(got);
    expect(decoded.find((m) => m.Type === 'F' && m.Symbol === 'MSFT')).toMatchObject({
      'Company Name': null,
    });
  });

  it('unwatches with r and S,UNWATCH ALL, lists watches, and answers n for unknown symbols', async () => {
    const { sim, clock } = await setup();
    const c = await client(sim, ['wAAPL', 'wMSFT', 'wNOPE', 'rAAPL', 'S,REQUEST WATCHES', 'S,UNWATCH ALL']);
    expect(c.lines().filter((l) => /^(n|S,WATCHES)/.test(l))).toEqual([
      'n,NOPE',
      'S,WATCHES,MSFT',
      'S,WATCHES',
    ]);
    clock.advanceUs(3_000_000);
    await sim.tapeEnd;
    await waitFor(() => c.lines().length === sim.stats().connections[0].lines, 'every line delivered');
    // Nothing of either symbol arrives after the unwatch; feed status still does.
    const rest = linesAfter(c.lines(), 'S,WATCHES').slice(1);
    expect(rest.some((l) => /^[QPFRC],/.test(l))).toBe(false);
    expect(rest).toContain('S,SERVER CONNECTED');
  });

  it('answers protocol selection, field-name requests, T, and bad commands', async () => {
    const { sim } = await setup();
    const c = await TestClient.connect(sim.ports.L1, 'L1');
    clients.push(c);
    // LF-only terminators, one command split across two writes.
    c.socket.write('S,SET PROTOCOL,6.2\nS,SET PROT');
    await c.waitForLine((l) => l.startsWith('S,CURRENT UPDATE FIELDNAMES'), 'the protocol reply');
    c.socket.write('OCOL,5.0\n');
    c.send([
      'T',
      'S,REQUEST ALL UPDATE FIELDNAMES',
      'S,REQUEST FUNDAMENTAL FIELDNAMES',
      'bogus',
      'S,NO SUCH THING',
    ]);
    c.send([
      'S,SELECT UPDATE FIELDS,Bid,Not A Field',
      'S,SET LOG LEVELS,Admin,Debug',
      'S,REQUEST CURRENT UPDATE FIELDNAMES',
    ]);
    await c.waitForLines(4 + 10);
    expect(c.lines().slice(4, 14)).toEqual([
      'S,CURRENT PROTOCOL,6.2,',
      `S,CURRENT UPDATE FIELDNAMES,${DEFAULT_UPDATE_FIELDS.join(',')}`,
      'E,5.0 is not a valid protocol.,',
      'T,20210630 09:30:00',
      expect.stringMatching(/^S,UPDATE FIELDNAMES,Symbol,Exchange ID,Last,/),
      expect.stringMatching(/^S,FUNDAMENTAL FIELDNAMES,Symbol,Exchange ID,PE,.*,FIGI,Security SubType$/),
      'E,!SYNTAX_ERROR!,',
      'E,!SYNTAX_ERROR!,',
      'E,!SYNTAX_ERROR!,',
      'S,CURRENT LOG LEVELS,Admin,Debug',
    ]);
    await c.waitForLines(15);
    expect(c.lines()[14]).toBe(`S,CURRENT UPDATE FIELDNAMES,${DEFAULT_UPDATE_FIELDS.join(',')}`);
    const all = c.lines()[8].split(',').slice(2);
    expect(all).toHaveLength(70);
    expect(c.lines()[9].split(',').slice(2)).toHaveLength(57);
  });
});
