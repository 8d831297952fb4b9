/**
 * A connection that falls behind the live replay is served from the tape by its own cursor
 * (simulator/replay/catch-up.ts, one-route.ts). Law: falling behind changes no byte. The same
 * tape, seed and client commands give every L1/L2 connection the same bytes whether or not its
 * output was held and it fell behind (here: held by `stall` / `full-buffer` faults, with a 1 KiB
 * bound, at several points on both channels), with every forwarding rule in play: field
 * re-projection, trades-only watches, news, regional quotes, by-price and by-order depth,
 * timestamps off, synthesized T lines, feed status lines.
 */
import { describe, expect, it } from 'vitest';
import type { Channel } from '../../../collector/protocol/channel.js';
import { DEFAULT_UPDATE_FIELDS } from '../../../collector/protocol/index.js';
import type { FaultSpec } from '../../../simulator/faults/spec.js';
import type { SimulatorStats } from '../../../simulator/index.js';
import { startSim, stopAfterEach, type TapeBody, TestClient, waitFor, writeTape } from '../helpers.js';
import { syntheticBody } from '../synthetic.js';

const D = '2024-06-21';
const Q_LIST = 'Symbol,Most Recent Trade,Most Recent Trade Size,Most Recent Trade Time';

/** Lines the synthetic session lacks, so every rule of the router is exercised. */
const EXTRA: readonly (readonly ['L1' | 'L2', string])[] = [
  ['L1', 'F,AAPL,5,,,,,,,,,,,,,,,,,,,,,,,Apple Inc,'],
  [
    'L1',
    'P,MSFT,250.1000,100,09:30:01.000000,19,500,250.0000,100,250.2000,200,249.0000,251.0000,248.0000,250.0000,Cbaohlcv,01,',
  ],
  ['L1', 'C,AAPL,I,O,06/21/2024,,101.0500,15000,859256116,198944,24,'],
  ['L1', 'R,MSFT,,250.0200,2100,09:30:01,250.0300,1500,09:30:01,14,4,5,'],
  ['L1', 'R,AAPL,,101.0200,2100,09:30:01,101.0300,1500,09:30:01,14,4,5,'],
  ['L1', 'N,CBW,22433515272,:MSFT:AAPL:,20240621 093001,Apple, Microsoft sign a deal, with commas'],
  ['L1', 'N,CBW,22433515273,:MSFT:,20240621 093002,Microsoft alone'],
  ['L1', 'E,a feed error,'],
  ['L1', 'O'],
  ['L2', 'E,an L2 feed error,'],
  ['L2', 'O'],
  ['L2', 'T,20240621 09:30:02'],
  ['L2', 'S,CLEAR DEPTH,MSFT,B,'],
  ['L2', `7,AAPL,B,100.5000,300,3,4,09:30:02.000000,${D},`],
  ['L2', `6,MSFT,648907500001,,B,100.4000,200,12440218001,4,09:30:02.000000,${D},`],
  ['L2', `4,MSFT,648907500001,,B,100.4000,150,12440218001,4,09:30:02.000000,${D},`],
  ['L2', `0,AAPL,648907500002,,A,100.9000,100,12440218002,4,09:30:02.000000,${D},`],
  ['L2', 'S,SOMETHING THE RECORDING CLIENT ASKED,'],
];

/** The synthetic session with an EXTRA line every 53 lines, and the tape's Q/P layout changed
 * for a stretch (the lines in it are projected from that layout). */
function richBody(seed: number, count: number): TapeBody {
  const body: (readonly [number, 'L1' | 'L2' | 'ADMIN', string])[] = [];
  syntheticBody(seed, count).forEach((line, i) => {
    body.push(line);
    if (i % 53 === 52) {
      const [ch, text] = EXTRA[Math.floor(i / 53) % EXTRA.length]!;
      body.push([line[0], ch, text]);
    }
    if (i === Math.floor(count * 0.6)) body.push([line[0], 'L1', `S,CURRENT UPDATE FIELDNAMES,${Q_LIST}`]);
    if (i > Math.floor(count * 0.6) && i < Math.floor(count * 0.7) && i % 7 === 0) {
      body.push([
        line[0],
        'L1',
        `Q,AAPL,101.${String(i % 100).padStart(2, '0')},100,09:30:0${i % 10}.000000,`,
      ]);
    }
    if (i === Math.floor(count * 0.7)) {
      body.push([line[0], 'L1', `S,CURRENT UPDATE FIELDNAMES,${DEFAULT_UPDATE_FIELDS.join(',')}`]);
    }
  });
  return body;
}

const { sims, clients } = stopAfterEach();

const PLAN: readonly [Channel, readonly string[]][] = [
  // IBM is named by the tape's #symbols but has no lines: the replay starts with its L1 watch.
  ['L2', ['S,SET PROTOCOL,6.2', 'WPL,AAPL', 'WPL,MSFT', 'WPL,IBM']],
  ['L2', ['WOR,AAPL', 'S,TIMESTAMPSOFF', 'WOR,MSFT']],
  ['L2', ['WPL,MSFT', 'WOR,MSFT', 'WPL,AAPL']],
  ['L1', ['S,SET PROTOCOL,6.2', 'wAAPL', 'S,NEWSON', 'S,REGON,MSFT']],
  ['L1', ['S,SELECT UPDATE FIELDS,Symbol,Bid,Ask,Message Contents', 'tAAPL', 'wMSFT']],
  ['L1', ['S,TIMESTAMPSOFF', 'tMSFT', 'tAAPL']],
];

interface Run {
  readonly stats: SimulatorStats;
  /** Per connection, what it received up to the tape's end: the T lines after it are cut off. */
  readonly lines: readonly (readonly string[])[];
  /** T lines after the tape per channel (their number depends on how long the run went on). */
  readonly afterEnd: Readonly<Record<'L1' | 'L2', number>>;
}

/** Trailing T lines (the clock running on after the tape), checked to run one second apart. */
function cutTrailingT(lines: readonly string[]): { kept: string[]; cut: number } {
  let end = lines.length;
  while (end > 0 && lines[end - 1]!.startsWith('T,')) end--;
  const tail = lines
    .slice(end)
    .map((l) => Date.parse(l.slice(2).replace(/^(\d{4})(\d\d)(\d\d) /, '$1-$2-$3T')));
  for (let i = 1; i < tail.length; i++) expect(tail[i]! - tail[i - 1]!).toBe(1000);
  return { kept: lines.slice(0, end), cut: lines.length - end };
}

async function run(tape: string, faults: FaultSpec | undefined, waitForClients = false): Promise<Run> {
  const sim = await startSim({
    tape,
    speed: 'max',
    start: 'all-watched',
    seed: 42,
    maxQueueKb: faults ? 1 : 4096,
    faults,
    waitForClients,
  });
  sims.push(sim);
  const mine: TestClient[] = [];
  for (const [ch, cmds] of PLAN) {
    const c = await TestClient.connect(sim.ports[ch], ch);
    mine.push(c);
    clients.push(c);
    c.send([...cmds, 'S,REQUEST WATCHES']);
    await c.waitForLine((l) => l.startsWith('S,WATCHES'), 'the watches');
  }
  expect(sim.stats().replay.started).toBe(false);
  const last = await TestClient.connect(sim.ports.L1, 'L1');
  mine.push(last);
  clients.push(last);
  last.send(['wIBM', 'wMSFT']); // every symbol watched on both ports: the replay starts
  await sim.tapeEnd;
  const ended = sim.stats();
  await waitFor(
    () => mine.every((c, i) => c.byteCount === ended.connections[i]!.bytes),
    'every client to receive everything',
  );
  const stats = await sim.stop();
  // What each client received is what the stats say was sent.
  mine.forEach((c, i) => {
    expect(c.sha256()).toBe(stats.connections[i]!.sha256Raw);
  });
  const afterEnd = { L1: 0, L2: 0 };
  const lines = mine.map((c) => {
    const { kept, cut } = cutTrailingT(c.lines());
    afterEnd[c.channel as 'L1' | 'L2'] += cut;
    return kept;
  });
  return { stats, lines, afterEnd };
}

/** Per channel and type the lines sent, T lines after the tape left out. */
function typesUpToEnd(r: Run): Record<string, Record<string, number>> {
  const t = JSON.parse(JSON.stringify(r.stats.types)) as Record<string, Record<string, number>>;
  for (const ch of ['L1', 'L2'] as const) t[ch]!['T'] = (t[ch]!['T'] ?? 0) - r.afterEnd[ch];
  return t;
}

/**
 * Line for line the same, up to the end of the tape (after it the clock's T lines go on for as long
 * as each run lasted), and the same per-symbol figures.
 */
function expectSameReplay(held: Run, steady: Run): void {
  expect(held.lines.map((l) => l.length)).toEqual(steady.lines.map((l) => l.length));
  held.lines.forEach((l, i) => {
    expect(l).toEqual(steady.lines[i]);
  });
  expect(typesUpToEnd(held)).toEqual(typesUpToEnd(steady));
  expect(held.stats.symbols).toEqual(steady.stats.symbols);
}

const HELD: FaultSpec = {
  seed: 3,
  faults: [
    { kind: 'stall', channel: 'L2', at: { line: 300 }, ms: 150 },
    { kind: 'full-buffer', channel: 'L2', at: { line: 4000 }, ms: 100 },
    { kind: 'stall', channel: 'L2', at: { line: 6500 }, ms: 100 },
    { kind: 'stall', channel: 'L1', at: { line: 100 }, ms: 150 },
    { kind: 'stall', channel: 'L1', at: { line: 2500 }, ms: 100 },
  ],
};

describe('catch-up from the tape', () => {
  it('gives a connection that fell behind exactly the bytes of one that never did', async () => {
    const tape = writeTape({ symbols: 'AAPL,MSFT,IBM', l2: 'mbp', date: '2024-06-21' }, richBody(11, 8000));
    const steady = await run(tape, undefined);
    const held = await run(tape, HELD);

    // The faults held connections and they fell behind: the law is not checked vacuously.
    const behind = held.stats.connections.filter((c) => c.linesWhileBehind > 0);
    expect(new Set(behind.map((c) => c.channel))).toEqual(new Set(['L1', 'L2']));
    expect(held.stats.faults?.notReached).toEqual([]);
    expect(steady.stats.connections.every((c) => c.stalls === 0 && c.linesWhileBehind === 0)).toBe(true);

    expectSameReplay(held, steady);
  }, 60_000);

  it('with --wait-for-clients a held connection holds the replay instead, and gets the same bytes', async () => {
    const tape = writeTape({ symbols: 'AAPL,MSFT,IBM', l2: 'mbp', date: '2024-06-21' }, richBody(11, 8000));
    const steady = await run(tape, undefined);
    const held = await run(tape, HELD, true);

    // The faults held connections on both ports (their stalls), and none was served from behind.
    const stalled = held.stats.connections.filter((c) => c.stalls > 0);
    expect(new Set(stalled.map((c) => c.channel))).toEqual(new Set(['L1', 'L2']));
    expect(held.stats.faults?.notReached).toEqual([]);
    expect(held.stats.connections.every((c) => c.linesWhileBehind === 0)).toBe(true);
    expect(held.stats.replay.waitForClients).toBe(true);

    expectSameReplay(held, steady);
  }, 60_000);
});
