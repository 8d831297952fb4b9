/**
 * crash-restart: the collector is killed with SIGKILL at seeded points of the replay and started
 * again on the same journal session each time. The tape is paced (`--rate`), so the feed goes on
 * while the collector is down, as IQConnect would: what it sent to a dead collector was never
 * delivered and is disclosed as a gap at the restart; everything the journal holds must reach
 * every sink exactly once after dedup, and the duplicates the sinks were handed are counted.
 *
 * Sabotage (tests only): before each restart the sinks' checkpoints are moved up to the journal
 * head the collector last reported, as a collector that checkpointed before its sinks had
 * acknowledged would leave them; the restart then skips what they lack, and the loss check
 * must catch it.
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
  pollFor,
  readSimStats,
  scenarioCheck,
  stopSimulatorThenSettle,
  tapeShape,
} from './common.js';
import type { ReplayControl } from './hooks.js';
import { scenarioTape } from './tape.js';
import type { Scenario, ScenarioRunOptions } from './types.js';

const CI = { lines: 100_000, kills: 10, rate: 3500 };
const FULL = { lines: 1_000_000, kills: 20, rate: 5000 };

interface Kill {
  readonly n: number;
  /** Planned: ms after the first collector started. */
  readonly plannedMs: number;
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
    'the collector SIGKILLed at 20 seeded points and restarted on its session: every sink holds every record once',
  seed: 5002,
  ci: CI,
  full: FULL,
  sabotage: 'sink checkpoints moved up to the journal head before each restart (no redelivery)',
  needs: [],
  async run(o: ScenarioRunOptions): Promise<ReplayOutcome> {
    const size = { ...(o.full ? FULL : CI), ...o.size };
    const seed = o.seed ?? this.seed;
    const tape = o.tape ?? (await scenarioTape(seed, size.lines));
    const shape = await tapeShape(tape);
    const replayMs = (shape.lines / size.rate) * 1000;
    // One kill per equal slice of 5 %–90 % of the replay, at a seeded place in its slice.
    const prng = createPrng(seed);
    const from = replayMs * 0.05;
    const slice = (replayMs * 0.85) / size.kills;
    const plan = Array.from({ length: size.kills }, (_, i) =>
      Math.round(from + i * slice + prng.next() * slice * 0.8),
    );
    const kills: Kill[] = [];
    return runReplay({
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
      hooks: {
        duringReplay: (c) => killAndRestart(c, plan, kills, o.sabotage ?? false),
        afterTapeEnd: (c) => stopSimulatorThenSettle(c),
        // Every connection but the last of each channel ended in a kill: its journal may stop
        // short of what the simulator sent (what a dead process had not read or journaled).
        truncatedAllowed: async (c) => allButLastConnections(await readSimStats(c.paths)),
        extraChecks: async (_c, outcome) => crashChecks(outcome, plan, kills),
      },
    });
  },
};

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
    const due = t0 + plan[i]!;
    // The schedule is the condition here: the kill is due at a planned time of the replay.
    while (Date.now() < due && !control.tapeEnded()) await new Promise((r) => setTimeout(r, 10));
    if (control.tapeEnded()) return;
    // Kill a collector that is up: its own status says every feed port is connected (so its
    // connect events are journaled). A process killed before it journaled its connections
    // leaves simulator connections the journal cannot be lined up with.
    const before = await pollFor('the collector to report its feed connected', 30_000, async () => {
      const st = await control.readStatus();
      return st && st.pid === control.collector().pid && st.ports.every((p) => p.connected) ? st : null;
    });
    const atMs = Date.now() - t0;
    await control.killCollector();
    const moved = sabotage
      ? await moveCheckpoints(before.journal.dir, await journalHead(before.journal.dir))
      : 0;
    const next = control.restartCollector(['--session', session]);
    const ready = await next.waitForEvent((e) => e['event'] === 'ready', 60_000, 'ready after a restart');
    kills.push({
      n: i + 1,
      plannedMs: plan[i]!,
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

function crashChecks(outcome: VerifyOutcome, plan: readonly number[], kills: readonly Kill[]): Check[] {
  const notResumed = kills.filter((k) => !k.resumed || !k.sameSession);
  const killCheck = scenarioCheck(
    'kills',
    `The collector was killed with SIGKILL at ${plan.length} seeded points and resumed its session each time`,
    `kills = ${plan.length}, every restart resumed the same session`,
    `${kills.length} of ${plan.length} kills done; ${kills.length - notResumed.length} restarts resumed the session`,
    kills.length === plan.length && notResumed.length === 0,
    {
      counts: { planned: plan.length, killed: kills.length, notResumed: notResumed.length },
      details: { kills },
      differences: notResumed.slice(0, 10).map((k) => ({
        where: `kill ${k.n} at ${k.atMs} ms`,
        expected: 'resumed the same session',
        actual: k.sameSession ? 'a fresh start' : 'another session',
      })),
    },
  );
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
  const onceCheck = scenarioCheck(
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
  return [killCheck, onceCheck];
}
