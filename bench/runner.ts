import { mkdir, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { errorMessage } from '../common/errors.js';
import { commitInfo, describeMachine, loadAverage } from './machine.js';
import { type BenchResults, readResults, type SuiteResult, suiteProvenance } from './results.js';
import type { BenchSuite } from './suite.js';

export interface RunBenchOptions {
  readonly suites: readonly BenchSuite[];
  readonly quick: boolean;
  /** Directory of the results file. */
  readonly outDir: string;
  /** The checkout whose commit the figures belong to. */
  readonly repoRoot: string;
  readonly command: string;
  readonly cpuProfDir: string | null;
  readonly cacheDir: string;
  readonly log: (message: string) => void;
  /** For tests: the date and commit the file is named after. */
  readonly now?: () => Date;
}

export interface RunBenchOutcome {
  readonly file: string;
  readonly results: BenchResults;
  /** The suites this run ran, with their figures (the file may hold older suites too). */
  readonly ran: Readonly<Record<string, SuiteResult>>;
}

/**
 * Run the suites one after another, each timed and bracketed by load averages, and merge their
 * figures into `<outDir>/<date>-<commit>.json`. A suite that throws is recorded with its error
 * and the run goes on: one broken service must not cost the other figures.
 */
export async function runBench(options: RunBenchOptions): Promise<RunBenchOutcome> {
  const now = options.now ?? (() => new Date());
  const started = now();
  const loadStart = loadAverage();
  const t0 = process.hrtime.bigint();
  const ran: Record<string, SuiteResult> = {};
  // Taken once, before the suites: the figures belong to the tree as it was when they started.
  const { commit, dirty } = commitInfo(options.repoRoot);
  const machine = describeMachine();
  for (const suite of options.suites) {
    options.log(`bench: ${suite.name} — ${suite.description}`);
    const suiteLoad = loadAverage();
    const s0 = process.hrtime.bigint();
    const ranAt = now().toISOString();
    const base = { ranAt, quick: options.quick, commit, dirty, command: options.command, machine };
    try {
      const figures = await suite.run({
        quick: options.quick,
        log: (message) => options.log(`  ${message}`),
        cpuProfDir: options.cpuProfDir,
        cacheDir: options.cacheDir,
      });
      ran[suite.name] = {
        ...base,
        durationS: seconds(s0),
        loadAverage: { start: suiteLoad, end: loadAverage() },
        figures,
      };
    } catch (err) {
      const message = errorMessage(err);
      options.log(`  FAILED: ${message}`);
      ran[suite.name] = {
        ...base,
        durationS: seconds(s0),
        loadAverage: { start: suiteLoad, end: loadAverage() },
        figures: [],
        error: message,
      };
    }
    options.log(`  ${suite.name}: ${ran[suite.name]!.durationS} s`);
  }

  const date = started.toISOString().slice(0, 10);
  const file = resolve(options.outDir, `${date}-${commit}.json`);
  const previous = await readResults(file).catch(() => null);
  // Suites of an older file carry no provenance of their own: pin the file's to them before the
  // file-level fields are overwritten with this run's, or it would be lost.
  const kept: Record<string, SuiteResult> = {};
  if (previous !== null) {
    for (const name of Object.keys(previous.suites)) {
      kept[name] = { ...previous.suites[name]!, ...suiteProvenance(previous, name) };
    }
  }
  // Spreading keeps the older order: a suite run again stays where it was.
  const suites = { ...kept, ...ran };
  const results: BenchResults = {
    schema: 'l2h.bench/1',
    date,
    commit,
    // Only suites still in the file count: a suite re-run on a clean tree replaces its dirty figures.
    dirty: Object.values(suites).some((s) => s.dirty === true),
    command: options.command,
    machine,
    loadAverage: { start: loadStart, end: loadAverage() },
    durationS: seconds(t0),
    suites,
  };
  await mkdir(options.outDir, { recursive: true });
  await writeFile(file, `${JSON.stringify(results, null, 2)}\n`);
  return { file, results, ran };
}

function seconds(from: bigint): number {
  return Math.round(Number(process.hrtime.bigint() - from) / 1e7) / 100;
}
