/**
 * crash-restart: the collector is killed with SIGKILL at seeded points of the replay and started
 * again on the same journal session each time. The points are tape lines: a kill is due once the
 * simulator reports (`--progress-every`) that its replay has taken that many lines, so the
 * schedule is the same on a fast machine and a loaded one. The tape is paced (`--rate`) and the
 * feed is live at each kill: what was in flight to the dead collector is lost to it (its
 * connection's journal is a verified prefix) and disclosed as a gap at the restart. While no
 * collector watches, the simulator holds the tape (`--hold-when-unwatched`, not IQConnect
 * behaviour), so a slow restart cannot let the tape run past the later kill points.
 * Everything the journal holds must reach every sink exactly once after dedup, and the
 * duplicates the sinks were handed are counted.
 *
 * Sabotage (tests only): before each restart the sinks' checkpoints are moved up to the journal
 * head the collector last reported, as a collector that checkpointed before its sinks had
 * acknowledged would leave them; the restart then skips what they lack, and the loss check
 * must catch it. So that they always lack something at a kill, the JSONL sink's writes are held
 * 250 ms (sabotage/slow-jsonl preloaded).
 */
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createPrng } from '../../simulator/prng.js';
import { type ReplayOutcome, runReplay } from '../replay/replay.js';
import type { Check } from '../results/types.js';
import { readJournal } from '../verify/journal-reader.js';
import type { VerifyOutcome } from '../verify/verify-run.js';
import {
  allButLastConnections,
  CUT_SHORT_SIMULATOR_ARGS,
  pollFor,
  readSimStats,
  scenarioCheck,
  stopSimulatorThenSettle,
  tapeShape,
} from './common.js';
import type { ReplayControl } from './hooks.js';
import { withSabotage } from './sabotage.js';
import { scenarioTape } from './tape.js';
import type { Scenario, ScenarioRunOptions } from './types.js';

const CI = { lines: 100_000, kills: 10, rate: 3500 };
const FULL = { lines: 1_000_000, kills: 20, rate: 5000 };

export interface Kill {
  readonly n: number;
  /** Planned: the tape line (lines the simulator's replay has taken) at or after which to kill. */
  readonly plannedLine: number;
  /** The replay's position when the kill was sent (its last progress report, at most one step old). */
  readonly atLine: number;
  /** Whether the simulator had reported the end of the tape before the kill (the feed was not live). */
  readonly afterTapeEnd: boolean;
  /** ms since the first collector started. */
  readonly atMs: number;
  /** The journal head the collector last reported before it was killed. */
  readonly headSeqBefore: number;
  /** How long from the kill until the restarted collector said it was ready (ms). */
  readonly restartMs: number;
  readonly resumed: boolean;
  readonly sameSession: boolean;
  readonly checkpointsMoved: number;
}

export const crashRestart: Scenario = {
  name: 'crash-restart',
  description:
    'the collector SIGKILLed at seeded tape lines (10, --full 20) and restarted on its session: every sink holds every record once',
  seed: 5002,
  ci: CI,
  full: FULL,
  sabotage:
    "sink checkpoints moved up to the journal head before each restart (no redelivery), the JSONL sink's writes held 250 ms so it lacks the last lines at each kill (sabotage/slow-jsonl preloaded)",
  needs: [],
  async run(o: ScenarioRunOptions): Promise<ReplayOutcome> {
    const size = { ...(o.full ? FULL : CI), ...o.size };
    const seed = o.seed ?? this.seed;
    const tape = o.tape ?? (await scenarioTape(seed, size.lines));
    const shape = await tapeShape(tape);
    const plan = killPlan(shape.lines, size.kills, seed);
    // A progress report every ~30 ms of replay: a kill lands at most that far past its point.
    const progressEvery = Math.max(10, Math.round(size.rate / 32));
    const kills: Kill[] = [];
    return withSabotage(o.sabotage ? 'slow-jsonl' : null, () =>
      runReplay({
        tape,
        out: o.out,
        speed: 1,
        rate: size.rate,
        sinks: ['jsonl'],
        depth: 10,
        seed,
        timeoutMs: o.timeoutMs ?? (o.full ? 1_800_000 : 300_000),
        command: o.command,
        scenario: 'crash-restart',
        logger: o.logger,
        simulatorArgs: [
          '--hold-when-unwatched',
          '--progress-every',
          String(progressEvery),
          ...CUT_SHORT_SIMULATOR_ARGS,
        ],
        hooks: {
          duringReplay: (c) => killAndRestart(c, plan, kills, o.sabotage ?? false),
          afterTapeEnd: (c) => stopSimulatorThenSettle(c),
          // Every connection but the last of each channel ended in a kill: its journal may stop
          // short of what the simulator sent (what a dead process had not read or journaled).
          truncatedAllowed: async (c) => allButLastConnections(await readSimStats(c.paths)),
          extraChecks: async (c, outcome) => [
            killsCheck(plan, kills, await readSimStats(c.paths)),
            exactlyOnceCheck(outcome),
          ],
        },
      }),
    );
  },
};

/**
 * One kill per equal slice of 5 %–90 % of the tape's lines, at a seeded place in the first 80 %
 * of its slice: the same lines whatever the machine.
 */
export function killPlan(lines: number, kills: number, seed: number): number[] {
  const prng = createPrng(seed);
  const from = lines * 0.05;
  const slice = (lines * 0.85) / kills;
  return Array.from({ length: kills }, (_, i) => Math.round(from + i * slice + prng.next() * slice * 0.8));
}

/** The replay's position as the simulator last reported it (0 before its first report). */
function replayLine(control: ReplayControl): number {
  const events = control.simulator.events;
  for (let i = events.length - 1; i >= 0; i--) {
    const e = events[i]!;
    if (e['event'] === 'progress') return Number(e['linesReplayed']);
  }
  return 0;
}

async function killAndRestart(
  control: ReplayControl,
  plan: readonly number[],
  kills: Kill[],
  sabotage: boolean,
): Promise<void> {
  const t0 = Date.now();
  const first = await control.collector().waitForEvent((e) => e['event'] === 'ready', 30_000, 'ready');
  const session = String(first['session']);
  for (let i = 0; i < plan.length; i++) {
    // The kill is due once the replay has taken its planned line. The simulator holds the tape
    // while no collector watches, so however slow the last restart was, the replay is at or
    // before this point until the collector is back and reading.
    const reached = await control.simulator.waitForEvent(
      (e) =>
        (e['event'] === 'progress' && Number(e['linesReplayed']) >= plan[i]!) || e['event'] === 'tape-end',
      600_000,
      `replay progress to line ${plan[i]}`,
    );
    if (reached['event'] === 'tape-end') return;
    // Kill a collector that is up: its own status says every feed port is connected (so its
    // connect events are journaled). A process killed before it journaled its connections
    // leaves simulator connections the journal cannot be lined up with.
    const before = await pollFor('the collector to report its feed connected', 30_000, async () => {
      const st = await control.readStatus();
      return st && st.pid === control.collector().pid && st.ports.every((p) => p.connected) ? st : null;
    });
    const atMs = Date.now() - t0;
    const atLine = replayLine(control);
    const afterTapeEnd = control.tapeEnded();
    await control.killCollector();
    const moved = sabotage
      ? await moveCheckpoints(before.journal.dir, await journalHead(before.journal.dir))
      : 0;
    const next = control.restartCollector(['--session', session]);
    const ready = await next.waitForEvent((e) => e['event'] === 'ready', 60_000, 'ready after a restart');
    kills.push({
      n: i + 1,
      plannedLine: plan[i]!,
      atLine,
      afterTapeEnd,
      atMs,
      headSeqBefore: before.journal.headSeq,
      restartMs: Date.now() - t0 - atMs,
      resumed: ready['resumed'] === true,
      sameSession: ready['session'] === session,
      checkpointsMoved: moved,
    });
  }
}

/** The seq of the last whole line in a session's journal (what a restart will recover). */
async function journalHead(sessionDir: string): Promise<number> {
  let head = 0;
  for await (const batch of readJournal(sessionDir)) {
    for (const item of batch) if (item.kind === 'line') head = item.seq;
  }
  return head;
}

/** Sabotage: every sink checkpoint set to `seq`. Returns how many were moved. */
async function moveCheckpoints(sessionDir: string, seq: number): Promise<number> {
  const dir = join(sessionDir, 'checkpoints');
  await mkdir(dir, { recursive: true });
  const names = (await readdir(dir).catch(() => [] as string[])).filter((n) => n.endsWith('.json'));
  const sinks = names.length > 0 ? names.map((n) => n.slice(0, -5)) : ['jsonl'];
  for (const sink of sinks) await writeFile(join(dir, `${sink}.json`), JSON.stringify({ sink, seq }));
  return sinks.length;
}

/**
 * Every planned kill done while the feed was live (the replay at or past its line, the tape not
 * yet over), and every restart resumed the same session. The simulator's holds (`replay.holds`)
 * show the tape waited for the restarts.
 */
export function killsCheck(
  plan: readonly number[],
  kills: readonly Kill[],
  sim: { readonly replay?: { readonly holds?: number; readonly heldMs?: number } },
): Check {
  const notResumed = kills.filter((k) => !k.resumed || !k.sameSession);
  const notLive = kills.filter((k) => k.afterTapeEnd || k.atLine < k.plannedLine);
  const pass = kills.length === plan.length && notResumed.length === 0 && notLive.length === 0;
  const differences = [
    ...(kills.length < plan.length
      ? [
          {
            where: `kill ${kills.length + 1} (line ${plan[kills.length]})`,
            expected: 'done while the tape replays',
            actual: 'not done: the tape ended first',
          },
        ]
      : []),
    ...notResumed.map((k) => ({
      where: `kill ${k.n} at line ${k.atLine}`,
      expected: 'resumed the same session',
      actual: k.sameSession ? 'a fresh start' : 'another session',
    })),
    ...notLive.map((k) => ({
      where: `kill ${k.n} (planned at line ${k.plannedLine})`,
      expected: 'with the feed live, at or past its line',
      actual: k.afterTapeEnd ? 'after the end of the tape' : `at line ${k.atLine}`,
    })),
  ];
  return scenarioCheck(
    'kills',
    `The collector was killed with SIGKILL at ${plan.length} seeded tape lines, feed live, and resumed its session each time`,
    `kills = ${plan.length}, each at or past its line before the tape ended, every restart resumed the same session`,
    `${kills.length} of ${plan.length} kills done (${kills.length - notLive.length} with the feed live); ` +
      `${kills.length - notResumed.length} restarts resumed the session; the simulator held the tape ` +
      `${sim.replay?.holds ?? 0} times (${sim.replay?.heldMs ?? 0} ms) while no collector watched`,
    pass,
    {
      counts: {
        planned: plan.length,
        killed: kills.length,
        notResumed: notResumed.length,
        notLive: notLive.length,
        holds: sim.replay?.holds ?? 0,
      },
      details: { kills },
      differences: differences.slice(0, 10),
    },
  );
}

function exactlyOnceCheck(outcome: VerifyOutcome): Check {
  const sinks = outcome.tallies.map((t) => ({
    sink: t.name,
    expected: t.totals.expected,
    present: t.totals.present,
    lost: t.totals.lost,
    duplicatesHeld: t.totals.duplicated,
    duplicatesDelivered: t.totals.duplicated + t.totals.collapsedDuplicates,
  }));
  const lost = sinks.reduce((s, x) => s + x.lost, 0);
  const held = sinks.filter((x) => x.sink !== 'kafka').reduce((s, x) => s + x.duplicatesHeld, 0);
  return scenarioCheck(
    'exactly-once',
    'After every crash, every sink holds every record of the journal exactly once after dedup',
    'lost = 0 in every sink; duplicates counted (0 left in idempotent sinks)',
    sinks
      .map(
        (x) =>
          `${x.sink}: ${x.present}/${x.expected}, lost ${x.lost}, duplicates delivered ${x.duplicatesDelivered}`,
      )
      .join('; '),
    lost === 0 && held === 0 && sinks.length > 0,
    { details: { sinks } },
  );
}
