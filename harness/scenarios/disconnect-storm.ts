/**
 * disconnect-storm: 50 feed disconnects spread over the day (FIN, RST, and IQConnect outages that
 * say `S,SERVER DISCONNECTED` and refuse connections for a while), on L1 and L2, at seeded
 * simulated times. Verified: every disconnect injected and detected, followed by a reconnect;
 * every symbol resynced on that channel after every boundary; every gap disclosed as a gap
 * record where its resync closed it; books equal the reference after each resync (books check);
 * nothing the feed delivered lost (feed check; a reset connection's journal must be a prefix).
 */
import type { FaultSpec } from '../../simulator/faults/spec.js';
import { type ReplayOutcome, runReplay } from '../replay/replay.js';
import type { Check } from '../results/types.js';
import type { VerifyOutcome } from '../verify/verify-run.js';
import {
  CUT_SHORT_SIMULATOR_ARGS,
  connectionNames,
  readGapRecords,
  readSimStats,
  resetConnectionNames,
  scenarioCheck,
  speedFor,
  stopSimulatorThenSettle,
  tapeShape,
} from './common.js';
import type { ReplayControl } from './hooks.js';
import { journalFacts } from './journal-facts.js';
import { withSabotage } from './sabotage.js';
import { findSessionDirOf } from './session.js';
import { scenarioTape } from './tape.js';
import type { Scenario, ScenarioRunOptions } from './types.js';

const CI = { lines: 60_000, disconnects: 50, seconds: 25, outageMs: 300 };
const FULL = { lines: 1_000_000, disconnects: 50, seconds: 180, outageMs: 2000 };
const ENDING = new Set(['close', 'reset', 'outage']);

export const disconnectStorm: Scenario = {
  name: 'disconnect-storm',
  description:
    '50 feed disconnects across a day (FIN, RST, outages): each detected, resynced, gap disclosed, books right, nothing lost',
  seed: 5001,
  ci: CI,
  full: FULL,
  sabotage: 'the collector neither reconnects nor re-sends its watches (sabotage/no-reconnect preloaded)',
  needs: [],
  async run(o: ScenarioRunOptions): Promise<ReplayOutcome> {
    const size = { ...(o.full ? FULL : CI), ...o.size };
    const seed = o.seed ?? this.seed;
    const tape = o.tape ?? (await scenarioTape(seed, size.lines));
    const shape = await tapeShape(tape);
    const spanMs = Math.floor(shape.spanUs / 1000);
    const spec: FaultSpec = {
      seed,
      random: [
        {
          kinds: ['close', 'reset', 'outage'],
          channels: ['L1', 'L2'],
          count: size.disconnects,
          // Leave the start (set-up) and the end (time to see every symbol resync) quiet.
          timeMs: [Math.floor(spanMs * 0.03), Math.floor(spanMs * 0.92)],
          ms: size.outageMs,
        },
      ],
    };
    return withSabotage(o.sabotage ? 'no-reconnect' : null, () =>
      runReplay({
        tape,
        out: o.out,
        speed: speedFor(shape, size.seconds),
        rate: null,
        sinks: ['jsonl'],
        depth: 10,
        seed,
        timeoutMs: o.timeoutMs ?? (o.full ? 1_800_000 : 300_000),
        command: o.command,
        scenario: 'disconnect-storm',
        logger: o.logger,
        simulatorArgs: ['--faults', JSON.stringify(spec), ...CUT_SHORT_SIMULATOR_ARGS],
        hooks: {
          afterTapeEnd: (c) => stopSimulatorThenSettle(c),
          truncatedAllowed: async (c) => resetConnectionNames(await readSimStats(c.paths)),
          extraChecks: (c, outcome) => stormChecks(c, outcome, shape.symbols, size.disconnects),
        },
      }),
    );
  },
};

async function stormChecks(
  control: ReplayControl,
  outcome: VerifyOutcome,
  symbols: readonly string[],
  planned: number,
): Promise<Check[]> {
  const stats = await readSimStats(control.paths);
  const report = stats.faults;
  const injected = (report?.injected ?? []).filter((f) => ENDING.has(f.kind));
  const names = connectionNames(stats.connections);
  const sessionDir = await findSessionDirOf(control.paths);
  const facts = await journalFacts({ journalDir: sessionDir, symbols });
  const status = await control.readStatus();

  const injectedCheck = scenarioCheck(
    'disconnects-injected',
    `${planned} disconnects were injected across the day`,
    `injected = ${planned}, not reached = 0`,
    `${injected.length} injected (${count(injected, 'close')} FIN, ${count(injected, 'reset')} RST, ${count(injected, 'outage')} outages), ${report?.notReached.length ?? planned} not reached`,
    injected.length === planned && (report?.notReached.length ?? 1) === 0,
    {
      counts: { planned, injected: injected.length, notReached: report?.notReached.length ?? planned },
      details: {
        injected: injected.map((f) => ({
          n: f.n,
          kind: f.kind,
          connection: names.get(f.connection)?.name ?? String(f.connection),
          channelLine: f.channelLine,
          simMs: f.simMs,
          detail: f.detail,
        })),
        outages: report?.refusals ?? [],
      },
      files: ['simulator/stats.json'],
    },
  );

  // Detected: the collector journaled the faulted connection's end, and connected again after it.
  const undetected: { where: string; expected: string; actual: string }[] = [];
  for (const f of injected) {
    const n = names.get(f.connection);
    const conns = facts.connections.filter((c) => c.channel === f.channel);
    const mine = n ? conns[n.index] : undefined;
    const next = n ? conns[n.index + 1] : undefined;
    if (!mine || mine.disconnectSeq === null || !next) {
      undetected.push({
        where: `fault #${f.n} ${f.kind} on ${n?.name ?? f.connection} (t+${f.simMs} ms)`,
        expected: 'a disconnect event, then a new connection',
        actual: !mine
          ? 'no such connection in the journal'
          : mine.disconnectSeq === null
            ? 'no disconnect event'
            : 'no reconnect',
      });
    }
  }
  const reconnects = Object.fromEntries((status?.ports ?? []).map((p) => [p.channel, p.reconnects]));
  const detectedCheck = scenarioCheck(
    'disconnects-detected',
    'Every disconnect was detected and followed by a reconnect',
    'undetected = 0',
    `${injected.length - undetected.length} of ${injected.length} detected and reconnected; collector reconnects ${JSON.stringify(reconnects)}`,
    undetected.length === 0 && injected.length > 0,
    {
      counts: { disconnects: injected.length, undetected: undetected.length },
      differences: undetected.slice(0, 10),
      details: { collectorReconnects: reconnects },
    },
  );

  // Resynced: after every boundary each symbol's data came again on that channel.
  const unresynced: { where: string; expected: string; actual: string }[] = [];
  let pairs = 0;
  for (const b of facts.boundaries) {
    for (const s of symbols) {
      pairs++;
      if (!b.resyncedAt.has(s)) {
        unresynced.push({
          where: `${b.channel} ${b.cause} at seq ${b.seq}, ${s}`,
          expected: 'a resync line',
          actual: 'none before the end',
        });
      }
    }
  }
  const resyncCheck = scenarioCheck(
    'symbols-resynced',
    'After every feed boundary every symbol was resynced on that channel',
    'boundaries × symbols without a resync = 0',
    `${facts.boundaries.length} boundaries × ${symbols.length} symbols: ${pairs - unresynced.length} resynced, ${unresynced.length} not`,
    unresynced.length === 0 && facts.boundaries.length >= injected.length,
    {
      counts: { boundaries: facts.boundaries.length, pairs, unresynced: unresynced.length },
      differences: unresynced.slice(0, 10),
    },
  );

  // Disclosed: a gap record for each (boundary, symbol), closed at (or before) its resync.
  const gaps = await readGapRecords(control.paths.data);
  const undisclosed: { where: string; expected: string; actual: string }[] = [];
  for (const b of facts.boundaries) {
    for (const [s, at] of b.resyncedAt) {
      const hit = gaps.some(
        (g) => g.channel === b.channel && g.symbol === s && g.seq >= b.seq && g.seq <= at,
      );
      if (!hit) {
        undisclosed.push({
          where: `${b.channel} ${s} after seq ${b.seq}`,
          expected: `a gap record with seq in ${b.seq}…${at}`,
          actual: 'none',
        });
      }
    }
  }
  const gapsCheck = scenarioCheck(
    'gaps-disclosed',
    'Every gap a disconnect opened is disclosed as a gap record, closed by its resync',
    'undisclosed gaps = 0',
    `${gaps.length} gap records; ${undisclosed.length} resyncs without one`,
    undisclosed.length === 0 && gaps.length > 0,
    {
      counts: {
        gapRecords: gaps.length,
        undisclosed: undisclosed.length,
        journalLines: outcome.journalLines,
      },
      differences: undisclosed.slice(0, 10),
    },
  );
  return [injectedCheck, detectedCheck, resyncCheck, gapsCheck];
}

function count(list: readonly { kind: string }[], kind: string): number {
  return list.filter((f) => f.kind === kind).length;
}
