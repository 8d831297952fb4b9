import { readdir, readFile, rm } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import type { SinkName } from '../../collector/sinks/sink.js';
import { errorMessage } from '../../common/errors.js';
import type { Logger } from '../../common/logger.js';
import { runReplay } from '../replay/replay.js';
import { prepareSinkServices } from '../replay/sink-services.js';
import type { Check, LatencySummary, LoadStep, RunResults } from '../results/types.js';
import { runPaths } from '../run-dir.js';
import type { SinkRecordSource } from '../verify/sinks/source.js';
import { measureFeedLatency } from './feed-latency.js';
import { type CollectorLatency, fromCollectorLatency, summarizeLatencyUs } from './latency-summary.js';
import { LOAD_DEFAULTS } from './options.js';
import { type StepUsage, startUsageSampler } from './process-sampler.js';
import { writeStepTape } from './step-tape.js';

/** What one step needs: a fixed rate for a number of seconds against a fresh simulator and collector. */
export interface StepOptions {
  readonly index: number;
  readonly rate: number;
  readonly seconds: number;
  readonly tape: string;
  /** The step's run directory (must not exist or be empty) and where its tape slice goes. */
  readonly dir: string;
  /** `dir` relative to the load run's directory, for evidence paths. */
  readonly relDir: string;
  readonly tapeDir: string;
  readonly keepTape: boolean;
  readonly sinks: readonly SinkName[];
  readonly depth: number;
  readonly seed: number;
  readonly bounds: LatencyBounds;
  /** The step fails below this fraction of its offered rate (default LOAD_DEFAULTS.minAchieved). */
  readonly minAchieved?: number;
  /**
   * The step fails with fewer feed → journal latency samples than this (default
   * LOAD_DEFAULTS.minLatencySamples): a p99 of a handful of lines is no bound kept.
   */
  readonly minLatencySamples?: number;
  readonly logger: Logger;
  readonly command: string;
  readonly collectorArgs?: readonly string[];
  readonly simulatorArgs?: readonly string[];
  readonly sinkSources?: readonly SinkRecordSource[];
  readonly services?: Readonly<Record<string, string>>;
}

export interface LatencyBounds {
  /** p99 feed → journal must not exceed this (ms). */
  readonly feedP99Ms: number;
  /** p99 journal → each sink must not exceed this (ms). */
  readonly sinkP99Ms: number;
}

export interface StepOutcome {
  readonly step: LoadStep;
  readonly check: Check;
  readonly usage: StepUsage | null;
  readonly dir: string;
  readonly lines: number;
  /** The tape was shorter than rate × seconds: the step ran for less. */
  readonly short: boolean;
  readonly durationS: number;
  /** The step's own results (null when the replay itself failed). */
  readonly results: RunResults | null;
  /** Failed verifications that are not about load (books, records): `id: measured`. */
  readonly verificationFailures: readonly string[];
}

export const FEED_TO_JOURNAL = 'feed→journal';

/** Check groups whose failure means the step lost data or broke down under load. */
const LOAD_GROUPS: ReadonlySet<string> = new Set(['zero-loss', 'integrity']);

/** Lines lost and duplicated, from the step's zero-loss checks. */
export function lossCounts(checks: readonly Check[]): { lost: number; duplicated: number } {
  let lost = 0;
  let duplicated = 0;
  for (const c of checks) {
    if (c.group !== 'zero-loss') continue;
    const n = c.evidence.counts ?? {};
    if (n['lost'] !== undefined) lost += n['lost'];
    else {
      // simulator → journal: what was sent on a channel and is not in the journal
      for (const ch of ['L1', 'L2', 'Admin']) {
        const sent = n[`sent${ch}`];
        const got = n[`journaled${ch}`];
        if (sent !== undefined && got !== undefined && sent > got) lost += sent - got;
      }
    }
    duplicated += n['duplicated'] ?? 0;
  }
  return { lost, duplicated };
}

function collectorLatencies(results: RunResults | null, statusLatency: unknown): LatencySummary[] {
  const l = statusLatency as { journalToSink?: Readonly<Record<string, CollectorLatency>> } | null;
  if (results === null || !l?.journalToSink) return [];
  return Object.entries(l.journalToSink).map(([sink, h]) => fromCollectorLatency(`journal→${sink}`, h));
}

function fmt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

function percent(fraction: number): string {
  return `${Math.round(fraction * 1000) / 10} %`;
}

export interface StepMeasures {
  readonly offered: number;
  /** Null when the journal did not let it be measured. */
  readonly achieved: number | null;
  readonly latency: readonly LatencySummary[];
  readonly bounds: LatencyBounds;
  readonly minAchieved: number;
  readonly minLatencySamples: number;
}

/**
 * Why the measured rate and latency do not make the step sustainable (empty when they do). Loss
 * alone cannot tell: a collector that keeps up with a fraction of the offered rate loses nothing,
 * it only takes longer; and a p99 over no samples is 0 ms, which proves nothing.
 */
export function measureReasons(m: StepMeasures): string[] {
  const reasons: string[] = [];
  if (m.achieved === null)
    reasons.push('achieved rate not measured: fewer than two tape lines placed in the journal');
  else if (m.achieved < m.offered * m.minAchieved) {
    reasons.push(
      `achieved ${fmt(m.achieved)} msgs/s < ${percent(m.minAchieved)} of ${fmt(m.offered)} offered`,
    );
  }
  const feed = m.latency.find((l) => l.name === FEED_TO_JOURNAL);
  if (feed === undefined) reasons.push('feed→journal latency not measured');
  else if (feed.count < m.minLatencySamples) {
    reasons.push(`feed→journal latency from ${fmt(feed.count)} samples < ${fmt(m.minLatencySamples)} needed`);
  }
  for (const l of m.latency) {
    const bound = l.name === FEED_TO_JOURNAL ? m.bounds.feedP99Ms : m.bounds.sinkP99Ms;
    // The collector's histogram of a sink that recorded nothing has no p99; a sink that missed
    // records fails the zero-loss checks instead.
    if (l.name !== FEED_TO_JOURNAL && l.count === 0) continue;
    if (l.p99Ms > bound) reasons.push(`p99 ${l.name} ${l.p99Ms} ms > ${bound} ms`);
  }
  return reasons;
}

/**
 * One load step: slice the tape to rate × seconds lines, replay it at that fixed rate through a
 * fresh simulator and collector (harness/replay), verify it, and judge it: no line or record
 * lost or duplicated, every verification passed, the offered rate achieved (measureReasons),
 * latency within bounds over enough samples.
 */
export async function runStep(o: StepOptions): Promise<StepOutcome> {
  const t0 = Date.now();
  // The machine's load around the step: on a shared machine a tail can be a neighbour's doing.
  const loadBefore = loadavg().map((v) => Math.round(v * 100) / 100);
  const wanted = Math.max(1, Math.round(o.rate * o.seconds));
  const slice = await writeStepTape(
    o.tape,
    join(o.tapeDir, `step-${String(o.index + 1).padStart(2, '0')}-${o.rate}.tape`),
    wanted,
  );
  const paths = runPaths(o.dir);
  const sampler = startUsageSampler(paths.collectorStatus);
  let results: RunResults | null = null;
  let failure: string | null = null;
  // Each step gets its own service names (database, topic prefix, key prefix): steps never mix.
  const sinkServices = await prepareSinkServices(o.sinks, o.dir, o.logger);
  try {
    ({ results } = await runReplay({
      tape: slice.path,
      out: o.dir,
      speed: 'max',
      rate: o.rate,
      sinks: o.sinks,
      depth: o.depth,
      seed: o.seed,
      // Generous: a step that cannot keep up takes longer than its seconds, and must still end.
      timeoutMs: (slice.lines / o.rate) * 10_000 + 120_000,
      command: o.command,
      scenario: `load step ${o.index + 1}: ${o.rate} msgs/s`,
      logger: o.logger,
      collectorArgs: [...sinkServices.collectorArgs, ...(o.collectorArgs ?? [])],
      collectorEnv: sinkServices.env,
      simulatorArgs: o.simulatorArgs,
      sinkSources: [...sinkServices.sources, ...(o.sinkSources ?? [])],
      services: { ...sinkServices.describe, ...(o.services ?? {}) },
      hooks: { extraChecks: (_c, verified) => sinkServices.extraChecks(verified, paths.data) },
    }));
  } catch (err) {
    failure = errorMessage(err);
  } finally {
    await sinkServices.stop();
  }
  const usage = await sampler.stop();

  const latency: LatencySummary[] = [];
  let achieved: number | null = null;
  if (results !== null) {
    try {
      const session = await sessionDir(paths.journal);
      const feed = await measureFeedLatency(slice.path, session, o.rate);
      latency.push(summarizeLatencyUs(FEED_TO_JOURNAL, feed.samplesUs));
      achieved = feed.spanUs > 0 ? (feed.journaledLines * 1e6) / feed.spanUs : null;
    } catch (err) {
      failure = `cannot measure feed latency: ${errorMessage(err)}`;
    }
    latency.push(...collectorLatencies(results, await readStatusLatency(paths.collectorStatus)));
  }
  if (!o.keepTape) await rm(slice.path, { force: true });

  const { lost, duplicated } = results ? lossCounts(results.checks) : { lost: 0, duplicated: 0 };
  const reasons: string[] = [];
  if (failure !== null) reasons.push(`the step did not complete: ${failure}`);
  if (lost > 0) reasons.push(`lost ${fmt(lost)}`);
  if (duplicated > 0) reasons.push(`duplicated ${fmt(duplicated)}`);
  // Loss, a crash or an unclean stop ends the ramp; a wrong book or record is a correctness
  // failure at any rate: it is reported (and fails the run) but does not mark a breaking point.
  const verificationFailures: string[] = [];
  for (const c of results?.checks ?? []) {
    if (c.pass) continue;
    if (LOAD_GROUPS.has(c.group)) reasons.push(`${c.id} failed: ${c.measured}`);
    else verificationFailures.push(`${c.id}: ${c.measured}`);
  }
  const minAchieved = o.minAchieved ?? LOAD_DEFAULTS.minAchieved;
  const minLatencySamples = o.minLatencySamples ?? LOAD_DEFAULTS.minLatencySamples;
  // A step that did not complete has its reason already; measures missing from it add nothing.
  if (failure === null) {
    reasons.push(
      ...measureReasons({
        offered: o.rate,
        achieved,
        latency,
        bounds: o.bounds,
        minAchieved,
        minLatencySamples,
      }),
    );
  }
  const pass = reasons.length === 0;
  const step: LoadStep = {
    offeredRate: o.rate,
    achievedRate: Math.round(achieved ?? 0),
    lost,
    duplicated,
    latency,
    pass,
    reason: pass ? null : reasons.join('; '),
  };
  const feed = latency.find((l) => l.name === FEED_TO_JOURNAL);
  const durationS = Math.round((Date.now() - t0) / 100) / 10;
  const check: Check = {
    id: `load.step-${String(o.index + 1).padStart(2, '0')}`,
    group: 'load',
    title: `Step ${o.index + 1}: ${fmt(o.rate)} msgs/s for ${(slice.lines / o.rate).toFixed(1)} s (${fmt(slice.lines)} lines)`,
    threshold:
      `lost = 0, duplicated = 0, both processes stop cleanly, achieved ≥ ${percent(minAchieved)} of offered, ` +
      `p99 feed→journal ≤ ${o.bounds.feedP99Ms} ms over ≥ ${fmt(minLatencySamples)} samples, ` +
      `p99 journal→sink ≤ ${o.bounds.sinkP99Ms} ms`,
    measured:
      `achieved ${achieved === null ? 'not measured' : `${fmt(achieved)} msgs/s`}; lost ${fmt(lost)}, duplicated ${fmt(duplicated)}` +
      (feed
        ? `; feed→journal p50 ${feed.p50Ms} / p99 ${feed.p99Ms} / p99.9 ${feed.p999Ms} ms over ${fmt(feed.count)} samples`
        : ''),
    pass,
    evidence: {
      counts: { lines: slice.lines, lost, duplicated },
      details: {
        offeredRate: o.rate,
        achievedRate: achieved === null ? null : Math.round(achieved),
        minAchieved,
        minLatencySamples,
        latency: Object.fromEntries(
          latency.map((l) => [
            l.name,
            { count: l.count, p50Ms: l.p50Ms, p99Ms: l.p99Ms, p999Ms: l.p999Ms, maxMs: l.maxMs },
          ]),
        ),
        cpuSeconds: Object.fromEntries(Object.entries(usage.processes).map(([k, v]) => [k, v.cpuSeconds])),
        cpuPercent: Object.fromEntries(
          Object.entries(usage.processes).map(([k, v]) => [
            k,
            v.seenSeconds > 0 ? Math.round((v.cpuSeconds / v.seenSeconds) * 100) : 0,
          ]),
        ),
        peakRssMb: Object.fromEntries(Object.entries(usage.processes).map(([k, v]) => [k, v.peakRssMb])),
        maxQueueDepth: usage.maxQueueDepth,
        maxLag: usage.maxLag,
        loadAverage: { before: loadBefore, after: loadavg().map((v) => Math.round(v * 100) / 100) },
        ...(slice.short ? { note: `the tape had only ${slice.lines} lines of the ${wanted} wanted` } : {}),
        ...(step.reason ? { reason: step.reason } : {}),
        ...(verificationFailures.length > 0 ? { verificationFailures } : {}),
      },
      files: [join(o.relDir, 'results.json')],
    },
  };
  return {
    step,
    check,
    usage,
    dir: o.dir,
    lines: slice.lines,
    short: slice.short,
    durationS,
    results,
    verificationFailures,
  };
}

async function sessionDir(journalDir: string): Promise<string> {
  const entries = await readdir(journalDir, { withFileTypes: true });
  const dirs = entries.filter((e) => e.isDirectory());
  if (dirs.length !== 1)
    throw new Error(`expected one journal session in ${journalDir}, found ${dirs.length}`);
  return join(journalDir, dirs[0]!.name);
}

async function readStatusLatency(file: string): Promise<unknown> {
  try {
    return (JSON.parse(await readFile(file, 'utf8')) as { latency?: unknown }).latency ?? null;
  } catch {
    return null;
  }
}
