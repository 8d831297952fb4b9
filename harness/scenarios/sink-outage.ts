/**
 * sink-outage: ClickHouse goes down for a while, and later, separately, Kafka does, while the
 * feed runs (paced). The collector keeps journaling; the sink that is down falls behind and
 * catches up from the journal once it is back. Verified: nothing lost in any sink (journal vs
 * each sink, sinks consistent with each other), and for each outage: the collector showing the sink
 * unreachable (its retries, from the status file), the sink's lag rising by at least half the
 * lines journaled while it was down and draining after it came back (the metrics timeline).
 *
 * Sabotage (tests only): the sinks' checkpoints are moved up to the journal head while the sink
 * is down, then the collector is restarted on its session (a collector that forgets what a down
 * sink still lacks); the loss check must catch it.
 */
import { resolve } from 'node:path';
import type { SinkStatus } from '../../collector/monitor/status.js';
import { type ReplayOutcome, runReplay } from '../replay/replay.js';
import type { Check, MetricsSample } from '../results/types.js';
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

/** The collector's status for one sink at one moment (seconds on the outage's clock). */
export interface SinkObservation {
  readonly t: number;
  readonly mode: SinkStatus['mode'];
  readonly retries: number;
  readonly lastError: string | null;
  readonly lag: number;
  readonly headSeq: number;
}

export interface Outage {
  readonly sink: 'clickhouse' | 'kafka';
  /** Seconds since the replay started: taking the sink down began (a shutdown can take seconds). */
  readonly downAtS: number;
  /** Down for sure from here; back (ready again) at `toS`. */
  readonly fromS: number;
  readonly toS: number;
  /** The sink's retry count in the collector's status just before it was taken down. */
  readonly retriesBefore: number | null;
  /** The collector's journal head at `fromS` and at `toS`. */
  readonly headAtFrom: number | null;
  readonly headAtTo: number | null;
  /** The sink's status from `downAtS` until STATUS_DELAY_S after `toS`. */
  readonly observed: readonly SinkObservation[];
}

/**
 * The collector rewrites its status file about once a second and counts a retry when a write
 * fails, so a failure during the outage may show up in the file that long after it.
 */
const STATUS_DELAY_S = 2;
const WATCH_EVERY_MS = 250;

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
    const outages: Promise<Outage>[] = [];
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
          extraChecks: async (c) => lagChecks(c, await Promise.all(outages)),
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
  outages: Promise<Outage>[],
  sabotage: boolean,
): Promise<void> {
  const sinceT0 = (): number => (Date.now() - t0) / 1000;
  const head = async (): Promise<number | null> => (await c.readStatus())?.journal.headSeq ?? null;
  const retriesBefore = (await c.readStatus())?.sinks.find((s) => s.name === sink)?.retries ?? null;
  const downAtS = sinceT0();
  const watch = watchSink(c, sink, sinceT0);
  await pause();
  // From when it is down for sure (a server's shutdown can take seconds).
  const fromS = sinceT0();
  const headAtFrom = await head();
  if (sabotage) await forgetWhatTheSinkLacks(c, sink);
  await waitUntil(c, Date.now() + seconds * 1000);
  await resume();
  const toS = sinceT0();
  const headAtTo = await head();
  // Not awaited here: the rest of the schedule does not wait for the status to catch up.
  outages.push(
    watch
      .until(toS + STATUS_DELAY_S)
      .then((observed) => ({ sink, downAtS, fromS, toS, retriesBefore, headAtFrom, headAtTo, observed })),
  );
}

/** The sink's entry of the collector's status, polled until `until` is called and its time reached. */
function watchSink(
  c: ReplayControl,
  sink: Outage['sink'],
  sinceT0: () => number,
): { until(s: number): Promise<SinkObservation[]> } {
  const observed: SinkObservation[] = [];
  let endS = Number.POSITIVE_INFINITY;
  const loop = (async () => {
    while (sinceT0() < endS) {
      const st = await c.readStatus();
      const s = st?.sinks.find((x) => x.name === sink);
      if (st && s) {
        observed.push({
          t: Math.round(sinceT0() * 10) / 10,
          mode: s.mode,
          retries: s.retries,
          lastError: s.lastError,
          lag: s.lag,
          headSeq: st.journal.headSeq,
        });
      }
      await new Promise((r) => setTimeout(r, WATCH_EVERY_MS));
    }
  })();
  return {
    async until(s) {
      endS = s;
      await loop;
      return observed;
    },
  };
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
  return outages.map((o) =>
    outageCheck(o, samples, status?.sinks.find((s) => s.name === o.sink)?.lag ?? null),
  );
}

/**
 * One outage judged. Lag alone proves nothing: it moves by a batch or so all the time. So the
 * sink must have been unreachable (the collector counted failed writes to it, or showed it
 * `retrying`, while it was down), its lag must have grown by at least half of what the journal
 * took in meanwhile (nothing reaches a down sink; half leaves room for one-second sampling at
 * both ends), and then drained, to 0 at the end.
 */
export function outageCheck(o: Outage, samples: readonly MetricsSample[], finalLag: number | null): Check {
  const story = lagStory(samples, o.sink, o.fromS, o.toS);
  const during = o.observed.filter((x) => x.t >= o.downAtS && x.t <= o.toS + STATUS_DELAY_S);
  const baseline = o.retriesBefore ?? 0;
  const retriesDuring = during.reduce((m, x) => Math.max(m, x.retries - baseline), 0);
  const modes = [...new Set(during.map((x) => x.mode))];
  const errors = [...new Set(during.flatMap((x) => (x.lastError === null ? [] : [x.lastError])))];
  const unreachable = retriesDuring > 0 || modes.includes('retrying');
  const journaled = o.headAtFrom !== null && o.headAtTo !== null ? o.headAtTo - o.headAtFrom : null;
  const riseNeeded = journaled === null ? null : Math.max(1, Math.ceil(journaled / 2));
  const rise = story.peak - story.before;
  const rose = riseNeeded !== null && rise >= riseNeeded;
  const drained = story.drainedAtS !== null;
  const sign = unreachable
    ? `unreachable: ${retriesDuring} failed writes retried, modes ${modes.join('/')}${errors.length > 0 ? `, last error ${JSON.stringify(errors[errors.length - 1]!.slice(0, 120))}` : ''}`
    : `no sign the sink was unreachable (${during.length} status samples, retries unchanged, modes ${modes.join('/') || 'none'})`;
  return scenarioCheck(
    `${o.sink}-outage`,
    `${o.sink} down ${Math.round(o.toS - o.fromS)} s: the collector saw it unreachable, its lag rose while it was down and drained after`,
    'sink retries or `retrying` while down; lag rise ≥ half the lines journaled while down; lag back down after it; final lag 0',
    `${sign}; ${journaled ?? '?'} lines journaled while down; lag ${story.before} before, peak ${story.peak}${story.peakAtS !== null ? ` at ${story.peakAtS} s` : ''} (rise ${rise}, ≥ ${riseNeeded ?? '?'} needed), ${drained ? `drained at ${story.drainedAtS} s` : 'never drained'}; final lag ${finalLag ?? '?'}`,
    unreachable && rose && drained && finalLag === 0,
    {
      counts: {
        retriesDuring,
        journaledWhileDown: journaled ?? -1,
        lagBefore: story.before,
        lagPeak: story.peak,
        lagRiseNeeded: riseNeeded ?? -1,
        finalLag: finalLag ?? -1,
        samples: story.samples,
      },
      details: {
        outage: { ...o, observed: undefined },
        series: story.series,
        observed: o.observed.map((x) => [x.t, x.mode, x.retries, x.lag]),
        errors,
      },
      files: ['metrics.jsonl', 'collector/status.json'],
    },
  );
}
