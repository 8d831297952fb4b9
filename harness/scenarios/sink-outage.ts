/**
 * sink-outage: ClickHouse goes down for a while, and later, separately, Kafka does, while the
 * feed runs (paced). The collector keeps journaling; the sink that is down falls behind and
 * catches up from the journal once it is back. Verified: nothing lost in any sink (journal vs
 * each sink, sinks consistent with each other), and each outage's lag rising while its sink was
 * down and draining after it came back, from the metrics timeline.
 *
 * Sabotage (tests only): the sinks' checkpoints are moved up to the journal head while the sink
 * is down, then the collector is restarted on its session (a collector that forgets what a down
 * sink still lacks); the loss check must catch it.
 */
import { resolve } from 'node:path';
import { type ReplayOutcome, runReplay } from '../replay/replay.js';
import type { Check } from '../results/types.js';
import { runPaths } from '../run-dir.js';
import {
  allButLastConnections,
  CUT_SHORT_SIMULATOR_ARGS,
  journaledThenDrained,
  pollFor,
  readSimStats,
  scenarioCheck,
  settledThenDrained,
  speedFor,
  tapeShape,
} from './common.js';
import type { ReplayControl } from './hooks.js';
import { lagStory, readMetrics } from './lag.js';
import { networkSinks } from './network-sinks.js';
import { scenarioTape } from './tape.js';
import type { Scenario, ScenarioRunOptions } from './types.js';

const CI = { lines: 100_000, outageS: 8, seconds: 36, kafkaOutage: 1 };
const FULL = { lines: 1_000_000, outageS: 30, seconds: 120, kafkaOutage: 1 };

interface Outage {
  readonly sink: 'clickhouse' | 'kafka';
  readonly fromS: number;
  readonly toS: number;
}

export const sinkOutage: Scenario = {
  name: 'sink-outage',
  description:
    'ClickHouse down, then separately Kafka down, during the feed: 0 lost, lag rising and draining',
  seed: 5004,
  ci: CI,
  full: FULL,
  sabotage:
    'while a sink is down its checkpoint is moved to the journal head and the collector restarted (no catch-up)',
  needs: ['clickhouse', 'kafka'],
  async run(o: ScenarioRunOptions): Promise<ReplayOutcome> {
    const size = { ...(o.full ? FULL : CI), ...o.size };
    const seed = o.seed ?? this.seed;
    const tape = o.tape ?? (await scenarioTape(seed, size.lines));
    const shape = await tapeShape(tape);
    const sinks = await networkSinks(o.logger);
    const outages: Outage[] = [];
    try {
      return await runReplay({
        tape,
        out: o.out,
        speed: speedFor(shape, size.seconds),
        rate: null,
        sinks: ['jsonl', 'clickhouse', 'kafka'],
        depth: 10,
        seed,
        timeoutMs: o.timeoutMs ?? (o.full ? 1_800_000 : 300_000),
        command: o.command,
        scenario: 'sink-outage',
        logger: o.logger,
        collectorArgs: sinks.collectorArgs(),
        ...(o.sabotage ? { simulatorArgs: CUT_SHORT_SIMULATOR_ARGS } : {}),
        sinkSources: sinks.sources(runPaths(resolve(o.out))),
        services: sinks.services.describe(),
        hooks: {
          duringReplay: async (c) => {
            const t0 = Date.now();
            // ClickHouse down at 15 % of the replay; Kafka a few seconds after ClickHouse is back.
            await waitUntil(c, t0 + size.seconds * 150);
            await outage(
              c,
              'clickhouse',
              () => sinks.services.clickhouse!.pause(),
              () => sinks.services.clickhouse!.resume(),
              size.outageS,
              t0,
              outages,
              o.sabotage ?? false,
            );
            if (size.kafkaOutage === 0) return;
            await waitUntil(c, Date.now() + Math.max(3000, size.seconds * 50));
            await outage(
              c,
              'kafka',
              () => sinks.services.kafka!.pause(),
              () => sinks.services.kafka!.resume(),
              size.outageS,
              t0,
              outages,
              o.sabotage ?? false,
            );
          },
          ...(o.sabotage
            ? {
                truncatedAllowed: async (c: ReplayControl) =>
                  allButLastConnections(await readSimStats(c.paths)),
              }
            : {}),
          // The sabotage kills the collector mid-feed: what was in flight to it is lost.
          afterTapeEnd: (c, sent) => (o.sabotage ? settledThenDrained(c) : journaledThenDrained(c, sent)),
          extraChecks: async (c) => lagChecks(c, outages),
        },
      });
    } finally {
      await sinks.services.stopAll();
    }
  },
};

/** The schedule is the condition: an outage starts at a planned time of the replay. */
async function waitUntil(c: ReplayControl, when: number): Promise<void> {
  while (Date.now() < when && !c.tapeEnded()) await new Promise((r) => setTimeout(r, 50));
}

async function outage(
  c: ReplayControl,
  sink: Outage['sink'],
  pause: () => Promise<void>,
  resume: () => Promise<void>,
  seconds: number,
  t0: number,
  outages: Outage[],
  sabotage: boolean,
): Promise<void> {
  await pause();
  // From when it is down for sure (a server's shutdown can take seconds).
  const fromS = (Date.now() - t0) / 1000;
  if (sabotage) await forgetWhatTheSinkLacks(c, sink);
  await waitUntil(c, Date.now() + seconds * 1000);
  await resume();
  outages.push({ sink, fromS, toS: (Date.now() - t0) / 1000 });
}

/** Sabotage: the down sink's checkpoint moved to the journal head, then a restart that trusts it. */
async function forgetWhatTheSinkLacks(c: ReplayControl, sink: string): Promise<void> {
  const { mkdir, writeFile } = await import('node:fs/promises');
  const { join } = await import('node:path');
  const ready = await c.collector().waitForEvent((e) => e['event'] === 'ready', 30_000, 'ready');
  const session = String(ready['session']);
  const dir = String(ready['sessionDir']);
  // Let the sink fall behind first, so there is something to forget.
  await pollFor('the down sink to fall behind', 30_000, async () => {
    const st = await c.readStatus();
    return (st?.sinks.find((x) => x.name === sink)?.lag ?? 0) >= 1000 ? st : null;
  });
  await c.killCollector();
  const { readJournal } = await import('../verify/journal-reader.js');
  let head = 0;
  for await (const batch of readJournal(dir))
    for (const item of batch) if (item.kind === 'line') head = item.seq;
  await mkdir(join(dir, 'checkpoints'), { recursive: true });
  await writeFile(join(dir, 'checkpoints', `${sink}.json`), JSON.stringify({ sink, seq: head }));
  const next = c.restartCollector(['--session', session]);
  await next.waitForEvent((e) => e['event'] === 'ready', 60_000, 'ready after the restart');
}

async function lagChecks(c: ReplayControl, outages: readonly Outage[]): Promise<Check[]> {
  const samples = await readMetrics(c.paths.metrics);
  const status = await c.readStatus();
  return outages.map((o) => {
    const story = lagStory(samples, o.sink, o.fromS, o.toS);
    const finalLag = status?.sinks.find((s) => s.name === o.sink)?.lag ?? null;
    const rose = story.peak > story.before;
    const drained = story.drainedAtS !== null;
    return scenarioCheck(
      `${o.sink}-outage`,
      `${o.sink} down ${Math.round(o.toS - o.fromS)} s: its lag rose while it was down and drained after`,
      'lag peak > lag before the outage; lag back down after it; final lag 0',
      `lag ${story.before} before, peak ${story.peak}${story.peakAtS !== null ? ` at ${story.peakAtS} s` : ''}, ${drained ? `drained at ${story.drainedAtS} s` : 'never drained'}; final lag ${finalLag ?? '?'}`,
      rose && drained && finalLag === 0,
      {
        counts: {
          lagBefore: story.before,
          lagPeak: story.peak,
          finalLag: finalLag ?? -1,
          samples: story.samples,
        },
        details: { outage: o, series: story.series },
        files: ['metrics.jsonl'],
      },
    );
  });
}
