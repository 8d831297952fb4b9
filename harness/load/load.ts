import { appendFile, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { tapeSha256 } from '../../collector/tape/digest.js';
import { openTape } from '../../collector/tape/reader.js';
import { usageError } from '../../common/errors.js';
import type { Logger } from '../../common/logger.js';
import { machineIdentity, softwareVersions } from '../identity.js';
import type { Check, LoadStep, RunResults, TapeIdentity } from '../results/types.js';
import type { SinkRecordSource } from '../verify/sinks/source.js';
import { checkSettings, LOAD_DEFAULTS, type LoadSettings, planRates } from './options.js';
import { FEED_TO_JOURNAL, runStep, type StepOutcome } from './step.js';

export interface LoadOptions extends LoadSettings {
  readonly tape: string;
  readonly out: string;
  readonly depth: number;
  readonly seed: number;
  readonly command: string;
  readonly logger: Logger;
  /** Keep each step's tape slice in `<out>/tapes/` (default: removed after the step). */
  readonly keepTapes?: boolean;
  readonly collectorArgs?: readonly string[];
  readonly simulatorArgs?: readonly string[];
  readonly sinkSources?: readonly SinkRecordSource[];
  readonly services?: Readonly<Record<string, string>>;
  /** Told before and after each step (the CLI prints progress from it). */
  readonly onStep?: (event: StepEvent) => void;
}

export type StepEvent =
  | { readonly kind: 'start'; readonly index: number; readonly total: number; readonly rate: number }
  | { readonly kind: 'done'; readonly index: number; readonly total: number; readonly outcome: StepOutcome };

export interface LoadOutcome {
  readonly dir: string;
  readonly results: RunResults;
  readonly steps: readonly StepOutcome[];
  /** The highest offered rate whose step passed, null when the first step failed. */
  readonly sustainable: StepOutcome | null;
  /** The first failing step, null when every step passed (the breaking point lies above). */
  readonly broke: StepOutcome | null;
}

async function tapeIdentity(path: string): Promise<TapeIdentity> {
  const reader = await openTape(path);
  let lines = 0;
  try {
    for await (const batch of reader.batches()) lines += batch.length;
  } finally {
    await reader.close();
  }
  const headers = Object.fromEntries(reader.header.entries.map(([k, v]) => [k, v]));
  return { path: resolve(path), sha256: await tapeSha256(path), lines, headers };
}

function fmt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/**
 * `l2h load`: replay the tape at rising fixed rates, one verified step each (harness/load/step.ts),
 * and stop at the first step that loses or duplicates data, fails a verification, falls short of
 * its offered rate, has too few latency samples or breaks a latency bound. The run directory holds every step's own run directory under `steps/`, a
 * metrics timeline across the steps, and `results.json` with the load steps for the report's
 * curve, one check per step and the verdict on the highest sustainable rate.
 */
export async function runLoad(o: LoadOptions): Promise<LoadOutcome> {
  checkSettings(o);
  const started = Date.now();
  const dir = resolve(o.out);
  const existing = await readdir(dir).catch(() => [] as string[]);
  if (existing.length > 0) {
    throw usageError(
      `the run directory ${dir} is not empty`,
      'choose a new --out directory or remove this one',
    );
  }
  const tapeDir = join(dir, 'tapes');
  await mkdir(join(dir, 'steps'), { recursive: true });
  await mkdir(tapeDir, { recursive: true });
  const tape = await tapeIdentity(o.tape);
  const rates = planRates(o.plan);
  const config = {
    tape: tape.path,
    rates,
    plan: o.plan,
    stepSeconds: o.stepSeconds,
    sinks: o.sinks,
    depth: o.depth,
    seed: o.seed,
    bounds: {
      feedToJournalP99Ms: o.maxP99Ms,
      journalToSinkP99Ms: o.maxSinkP99Ms,
      minAchieved: o.minAchieved ?? LOAD_DEFAULTS.minAchieved,
      minLatencySamples: o.minLatencySamples ?? LOAD_DEFAULTS.minLatencySamples,
    },
  };
  await writeFile(join(dir, 'config.json'), `${JSON.stringify(config, null, 2)}\n`);
  await writeFile(join(dir, 'metrics.jsonl'), '');

  const steps: StepOutcome[] = [];
  let timeOffset = 0;
  for (let i = 0; i < rates.length; i++) {
    const rate = rates[i]!;
    o.onStep?.({ kind: 'start', index: i, total: rates.length, rate });
    const relDir = join('steps', `${String(i + 1).padStart(2, '0')}-${rate}`);
    const outcome = await runStep({
      index: i,
      rate,
      seconds: o.stepSeconds,
      tape: o.tape,
      dir: join(dir, relDir),
      relDir,
      tapeDir,
      keepTape: o.keepTapes ?? false,
      sinks: o.sinks,
      depth: o.depth,
      seed: o.seed,
      bounds: { feedP99Ms: o.maxP99Ms, sinkP99Ms: o.maxSinkP99Ms },
      minAchieved: o.minAchieved,
      minLatencySamples: o.minLatencySamples,
      logger: o.logger,
      command: o.command,
      collectorArgs: o.collectorArgs,
      simulatorArgs: o.simulatorArgs,
      sinkSources: o.sinkSources,
      services: o.services,
    });
    steps.push(outcome);
    timeOffset = await appendStepMetrics(dir, relDir, timeOffset, rate);
    o.onStep?.({ kind: 'done', index: i, total: rates.length, outcome });
    if (!outcome.step.pass) break;
  }
  if (!o.keepTapes) await rm(tapeDir, { recursive: true, force: true });

  const { sustainable, broke, checks, verdict } = judgeSteps(steps, rates);
  const load: LoadStep[] = steps.map((s) => s.step);
  const results: RunResults = {
    schema: 'l2h.results/1',
    verdict,
    run: {
      id: basename(dir),
      command: o.command,
      startedAt: new Date(started).toISOString(),
      durationMs: Date.now() - started,
      tape,
      scenario: 'load',
      seed: o.seed,
      config,
      versions: softwareVersions(),
      machine: machineIdentity(),
      services: { ...(o.services ?? {}), jsonl: 'local files' },
    },
    checks,
    // The latency the report charts: that of the highest sustainable step (else the first one).
    latency: (sustainable ?? steps[0])?.step.latency ?? [],
    messageMix: {},
    load,
    metricsFile: 'metrics.jsonl',
  };
  await writeFile(join(dir, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  return { dir, results, steps, sustainable, broke };
}

function sustainableCheck(
  best: StepOutcome | null,
  broke: StepOutcome | null,
  rates: readonly number[],
  ran: number,
): Check {
  const feed = best?.step.latency.find((l) => l.name === FEED_TO_JOURNAL);
  const measured =
    best === null
      ? `no step passed; the first (${fmt(rates[0] ?? 0)} msgs/s) failed: ${broke?.step.reason ?? 'unknown'}`
      : `${fmt(best.step.offeredRate)} msgs/s offered, ${fmt(best.step.achievedRate)} achieved, lost 0` +
        (feed ? `, p99 feed→journal ${feed.p99Ms} ms over ${fmt(feed.count)} samples` : '') +
        (broke
          ? `; broke at ${fmt(broke.step.offeredRate)} msgs/s: ${broke.step.reason}`
          : `; every planned step passed (up to ${fmt(rates[rates.length - 1] ?? 0)} msgs/s): the breaking point lies above`);
  return {
    id: 'load.sustainable-rate',
    group: 'load',
    title: 'Highest sustainable rate',
    threshold: 'at least the first step passes; the highest passing step is the sustainable rate',
    measured,
    pass: best !== null,
    evidence: {
      counts: {
        steps: rates.length,
        ran,
        ...(best ? { sustainableRate: best.step.offeredRate } : {}),
        ...(broke ? { brokeAtRate: broke.step.offeredRate } : {}),
      },
      files: [best?.check.evidence.files?.[0], broke?.check.evidence.files?.[0]].filter(
        (f): f is string => f !== undefined,
      ),
    },
  };
}

/** Books and records verified at every step: a wrong book is wrong at any rate. */
/**
 * The run's checks and verdict from its steps. The step that broke is the finding, not a failure
 * of the run: the verdict is whether a sustainable rate was found, every step's books and records
 * were right, and the breaking step was measured to the end.
 */
export function judgeSteps(
  steps: readonly StepOutcome[],
  rates: readonly number[],
): {
  sustainable: StepOutcome | null;
  broke: StepOutcome | null;
  checks: Check[];
  verdict: 'pass' | 'fail';
} {
  const passed = steps.filter((s) => s.step.pass);
  const sustainable = passed.length > 0 ? passed[passed.length - 1]! : null;
  const broke = steps.find((s) => !s.step.pass) ?? null;
  const summary = sustainableCheck(sustainable, broke, rates, steps.length);
  const verified = verificationCheck(steps);
  // Past a sustainable rate, the step that broke is the finding the run was for: its check
  // asserts that it was measured to the end with its evidence, and says what broke.
  const breaking = broke !== null && summary.pass ? breakingPointCheck(broke) : null;
  const checks: Check[] = [
    summary,
    verified,
    ...steps.map((s) => (s === broke && breaking ? breaking : s.check)),
  ];
  const verdict = summary.pass && verified.pass && (breaking?.pass ?? true) ? 'pass' : 'fail';
  return { sustainable, broke, checks, verdict };
}

function breakingPointCheck(broke: StepOutcome): Check {
  const c = broke.check;
  const measuredToTheEnd = broke.results !== null;
  return {
    ...c,
    title: `${c.title}: the breaking point`,
    threshold: 'the first step over a bound, run to the end and verified, so its evidence stands',
    measured: `${c.measured}; broke: ${broke.step.reason ?? 'over a bound'}`,
    pass: measuredToTheEnd,
  };
}

function verificationCheck(steps: readonly StepOutcome[]): Check {
  const failing = steps.filter((s) => s.verificationFailures.length > 0);
  const first = failing[0];
  return {
    id: 'load.verifications',
    group: 'load',
    title: 'Books and records verified at every step',
    threshold: 'every verification of every step passes (books, records, sink consistency)',
    measured:
      first === undefined
        ? `passed at all ${steps.length} steps`
        : `failed at ${failing.length} of ${steps.length} steps; at ${fmt(first.step.offeredRate)} msgs/s: ${first.verificationFailures.join('; ')}`,
    pass: first === undefined,
    evidence: {
      counts: { steps: steps.length, failing: failing.length },
      files: failing.flatMap((s) => s.check.evidence.files ?? []).slice(0, 10),
    },
  };
}

/** The step's metrics timeline appended to the run's, its time shifted to follow the last step. */
async function appendStepMetrics(dir: string, relDir: string, offset: number, rate: number): Promise<number> {
  let text = '';
  try {
    text = await readFile(join(dir, relDir, 'metrics.jsonl'), 'utf8');
  } catch {
    return offset;
  }
  let last = offset;
  const out: string[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    const sample = JSON.parse(line) as { t: number; rates: Record<string, number> };
    last = Math.round((offset + sample.t) * 10) / 10;
    out.push(JSON.stringify({ ...sample, t: last, rates: { ...sample.rates, offered: rate } }));
  }
  if (out.length > 0) await appendFile(join(dir, 'metrics.jsonl'), `${out.join('\n')}\n`);
  return last + 1;
}
