import type { Command } from 'commander';
import { usageError } from '../../common/errors.js';
import { createLogger } from '../../common/logger.js';
import { isInteractive } from '../../common/progress.js';
import { ensureDefaultDay } from '../../fixtures/default-day.js';
import { runLoad, type StepEvent } from '../../harness/load/load.js';
import { LOAD_DEFAULTS, parseRates, type RatePlan } from '../../harness/load/options.js';
import { FEED_TO_JOURNAL } from '../../harness/load/step.js';
import { writeReport } from '../../reports/index.js';
import { intOption } from '../options.js';
import { parseSinks, SINKS_HELP } from './replay.js';

interface LoadFlags {
  tape?: string;
  rates?: string;
  ramp?: boolean;
  startRate: string;
  rampFactor: string;
  maxRate: string;
  step: string;
  sinks: string;
  maxP99Ms: string;
  maxSinkP99Ms: string;
  minAchieved: string;
  minLatencySamples: string;
  out?: string;
  depth: string;
  seed: string;
  keepTapes?: boolean;
  logLevel: string;
}

function positive(flag: string, text: string): number {
  const v = Number(text.replace(/s$/, ''));
  if (!Number.isFinite(v) || v <= 0) throw usageError(`${flag} must be a positive number, got "${text}"`);
  return v;
}

function fraction(flag: string, text: string): number {
  const v = Number(text);
  if (!(v > 0 && v <= 1))
    throw usageError(`${flag} must be a fraction in (0, 1], got "${text}"`, `e.g. ${flag} 0.9`);
  return v;
}

function defaultOut(): string {
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '').replace('T', '-');
  return `runs/load-${stamp}`;
}

const n = (x: number) => Math.round(x).toLocaleString('en-US');

/** One line per step on a terminal (the replay draws its own bar while a step runs). */
function progressLine(e: StepEvent): string {
  if (e.kind === 'start') return `load: step ${e.index + 1}/${e.total} — ${n(e.rate)} msgs/s\n`;
  const s = e.outcome.step;
  const feed = s.latency.find((l) => l.name === FEED_TO_JOURNAL);
  return (
    `load: step ${e.index + 1}/${e.total} ${s.pass ? 'PASS' : 'FAIL'}  offered ${n(s.offeredRate)}  achieved ${n(s.achievedRate)} msgs/s  ` +
    `lost ${n(s.lost)}  dup ${n(s.duplicated)}` +
    (feed ? `  feed→journal p99 ${feed.p99Ms} ms (${n(feed.count)} samples)` : '') +
    `  (${e.outcome.durationS} s)${s.reason ? `\n      ${s.reason}` : ''}\n`
  );
}

export function registerLoad(program: Command): void {
  program
    .command('load')
    .description(
      'Load test: replay the tape at rising fixed rates, a fresh simulator and collector per step, verify each ' +
        'step, and stop at the first that loses or duplicates data, achieves less than --min-achieved of its ' +
        'offered rate, has fewer than --min-latency-samples latency samples or breaks a latency bound. Reports the highest ' +
        'sustainable rate with its evidence and the curve. Exit 0 when a sustainable rate was found and every ' +
        'step verified, 1 when no step was ' +
        'sustainable or a verification (books, records) failed, 2 on bad usage.',
    )
    .option('--tape <file>', 'tape to replay (.tape or .tape.gz); default: the bundled market day')
    .option('--rates <list>', 'offered rates in msgs/s, rising, e.g. --rates 1000,5000,20k')
    .option(
      '--ramp',
      'ramp instead of a list: --start-rate, times --ramp-factor each step, up to --max-rate (the default)',
    )
    .option('--start-rate <msgs/s>', 'first rate of the ramp', String(LOAD_DEFAULTS.rampStart))
    .option(
      '--ramp-factor <x>',
      'each ramp step multiplies the rate by this',
      String(LOAD_DEFAULTS.rampFactor),
    )
    .option('--max-rate <msgs/s>', 'last rate of the ramp', String(LOAD_DEFAULTS.rampMax))
    .option(
      '--step <seconds>',
      'how long each step sends: rate × seconds lines from the start of the tape',
      String(LOAD_DEFAULTS.stepSeconds),
    )
    .option('--sinks <list>', SINKS_HELP, 'jsonl')
    .option(
      '--max-p99-ms <ms>',
      'latency bound: p99 feed→journal (schedule to journal) per step',
      String(LOAD_DEFAULTS.maxP99Ms),
    )
    .option(
      '--max-sink-p99-ms <ms>',
      'latency bound: p99 journal→sink per step (append → durable in the sink, journal fdatasync included)',
      String(LOAD_DEFAULTS.maxSinkP99Ms),
    )
    .option(
      '--min-achieved <fraction>',
      'a step fails when it achieves less than this fraction of its offered rate, or when its achieved ' +
        'rate cannot be measured',
      String(LOAD_DEFAULTS.minAchieved),
    )
    .option(
      '--min-latency-samples <n>',
      'a step fails with fewer feed→journal latency samples (L2 lines) than this',
      String(LOAD_DEFAULTS.minLatencySamples),
    )
    .option('--out <dir>', 'run directory to create (default runs/load-<UTC timestamp>)')
    .option('--depth <levels>', 'book levels per side in L2 records', '10')
    .option('--seed <n>', 'seed for the simulator', '1')
    .option('--keep-tapes', "keep each step's tape slice in <out>/tapes/")
    .option('--log-level <level>', 'log level on stderr (debug, info, warn, error)', 'warn')
    .addHelpText(
      'after',
      '\nEach step replays the first rate × step lines of the tape at that fixed rate (simulate --rate), with a new\n' +
        'simulator and collector, and verifies the run (zero loss, books, records). Per step: offered and achieved\n' +
        "rate, lost and duplicated, latency p50/p99/p99.9 feed→journal (from the simulator's schedule to the\n" +
        "journal) and journal→sink (the collector's histogram), peak queue depth and lag per sink, CPU and peak\n" +
        'RSS of each process. Steps live in <out>/steps/NN-RATE/ (each a full run directory); the report with\n' +
        'the load curve in <out>/report/.\n' +
        '\nExamples:\n' +
        '  l2h load                                          # ramp 1k, 2k, 4k … on the bundled day, 20 s a step\n' +
        '  l2h load --tape day.tape.gz --rates 1000,5000,20000,50000 --step 10\n' +
        '  l2h load --tape day.tape.gz --ramp --start-rate 10000 --ramp-factor 1.5 --max-p99-ms 20\n' +
        '  l2h load --tape day.tape.gz --rates 5k,10k --sinks jsonl --out runs/load-ci\n',
    )
    .action(async (flags: LoadFlags, cmd: Command) => {
      // Every flag is read before any I/O: a typo must not cost generating the bundled day first.
      const logger = createLogger({ level: flags.logLevel });
      if (flags.rates && flags.ramp) throw usageError('use --rates or --ramp, not both');
      // The list replaces the ramp: a ramp flag given next to it would be dropped without a word.
      const rampFlags = [
        ['startRate', '--start-rate'],
        ['rampFactor', '--ramp-factor'],
        ['maxRate', '--max-rate'],
      ].filter(([key]) => cmd.getOptionValueSource(key!) === 'cli');
      if (flags.rates && rampFlags.length > 0) {
        throw usageError(
          `${rampFlags.map(([, flag]) => flag).join(', ')} shape a ramp and cannot go with --rates`,
          'give either --rates, or --ramp with --start-rate, --ramp-factor and --max-rate',
        );
      }
      const plan: RatePlan = flags.rates
        ? { kind: 'list', rates: parseRates(flags.rates) }
        : {
            kind: 'ramp',
            start: intOption('--start-rate', flags.startRate, 1),
            factor: positive('--ramp-factor', flags.rampFactor),
            max: intOption('--max-rate', flags.maxRate, 1),
          };
      const checked = {
        out: flags.out ?? defaultOut(),
        plan,
        stepSeconds: positive('--step', flags.step),
        sinks: parseSinks(flags.sinks),
        maxP99Ms: positive('--max-p99-ms', flags.maxP99Ms),
        maxSinkP99Ms: positive('--max-sink-p99-ms', flags.maxSinkP99Ms),
        minAchieved: fraction('--min-achieved', flags.minAchieved),
        minLatencySamples: intOption('--min-latency-samples', flags.minLatencySamples, 1),
        depth: intOption('--depth', flags.depth, 1),
        seed: intOption('--seed', flags.seed, 0),
        keepTapes: flags.keepTapes ?? false,
      };
      const tape = flags.tape ?? (await ensureDefaultDay());
      const interactive = isInteractive();
      const outcome = await runLoad({
        ...checked,
        tape,
        command: `l2h ${process.argv.slice(2).join(' ')}`,
        logger,
        onStep: interactive ? (e) => process.stderr.write(progressLine(e)) : undefined,
      });
      const { files } = await writeReport(outcome.dir);
      const lines = ['', 'offered     achieved    lost  dup  p99 feed→journal  samples  result'];
      for (const s of outcome.steps) {
        const feed = s.step.latency.find((l) => l.name === FEED_TO_JOURNAL);
        lines.push(
          `${n(s.step.offeredRate).padStart(9)}  ${n(s.step.achievedRate).padStart(9)}  ${n(s.step.lost).padStart(5)}  ` +
            `${n(s.step.duplicated).padStart(3)}  ${(feed ? `${feed.p99Ms} ms` : '—').padStart(16)}  ` +
            `${(feed ? n(feed.count) : '—').padStart(7)}  ${s.step.pass ? 'PASS' : `FAIL: ${s.step.reason}`}`,
        );
      }
      const summary = outcome.results.checks[0]!;
      lines.push(
        '',
        `${summary.pass ? 'sustainable' : 'FAIL'}: ${summary.measured}`,
        `evidence  ${outcome.dir}`,
      );
      for (const f of files.filter((x) => x.endsWith('.html'))) lines.push(`report    ${f}`);
      process.stdout.write(`${lines.join('\n')}\n`);
      process.exitCode = outcome.results.verdict === 'pass' ? 0 : 1;
    });
}
