import type { Command } from 'commander';
import { SINK_NAMES, type SinkName } from '../../collector/sinks/sink.js';
import { usageError } from '../../common/errors.js';
import { createLogger } from '../../common/logger.js';
import { ensureDefaultDay } from '../../fixtures/default-day.js';
import { runReplay } from '../../harness/replay/replay.js';
import { prepareSinkServices } from '../../harness/replay/sink-services.js';
import type { RunResults } from '../../harness/results/types.js';
import { runPaths } from '../../harness/run-dir.js';
import { findScenario } from '../../harness/scenarios/index.js';
import { formatSummary } from '../../harness/summary.js';
import { writeReport } from '../../reports/index.js';
import { intOption, parseSpeed } from '../options.js';

interface ReplayFlags {
  tape?: string;
  speed: string;
  rate?: string;
  sinks: string;
  out?: string;
  depth: string;
  seed: string;
  timeout: string;
  logLevel: string;
  scenario?: string;
  full?: boolean;
}

export function parseSinks(text: string): SinkName[] {
  const names = text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const n of names) {
    if (!(SINK_NAMES as readonly string[]).includes(n)) {
      throw usageError(`unknown sink "${n}" in --sinks`, `accepted: ${SINK_NAMES.join(', ')}`);
    }
  }
  if (!names.includes('jsonl'))
    throw usageError('--sinks must include jsonl', 'e.g. --sinks jsonl,clickhouse');
  return names as SinkName[];
}

/** `--sinks` help, shared with `l2h load`: it states the rule `parseSinks` enforces. */
export const SINKS_HELP =
  `sinks to enable, comma separated (${SINK_NAMES.join(', ')}); must include jsonl, ` +
  'which the verifications read, e.g. jsonl,clickhouse';

/** What a scenario fixes itself (ScenarioRunOptions has no room for them). */
const SCENARIO_SET = ['sinks', 'speed', 'rate', 'depth'] as const;

function defaultOut(): string {
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '').replace('T', '-');
  return `runs/${stamp}`;
}

export function registerReplay(program: Command): void {
  program
    .command('replay')
    .description(
      'The main job: replay a market day through the simulator and the real collector (two processes),\n' +
        'then verify zero data loss, every book and sink consistency, and write the run directory and report.\n' +
        'Exit 0 when every check passes, 1 when any fails, 2 on bad usage.',
    )
    .option(
      '--tape <file>',
      'tape to replay (.tape or .tape.gz); default: the bundled market day, generated on first use',
    )
    .option(
      '--speed <n|max>',
      'replay speed: 1 = recorded time, 10 = ten times faster, max = as fast as the collector reads',
      'max',
    )
    .option('--rate <lines/s>', 'replay at a fixed rate instead of the tape timing, e.g. --rate 20000')
    .option('--sinks <list>', SINKS_HELP, 'jsonl')
    .option('--out <dir>', 'run directory to create (default runs/<UTC timestamp>)')
    .option('--depth <levels>', 'book levels per side in L2 records', '10')
    .option('--seed <n>', 'seed for the simulator (and faults, where a scenario has them)', '1')
    .option('--timeout <s>', 'give up when the replay has not finished after this many seconds', '1800')
    .option('--log-level <level>', 'log level on stderr (debug, info, warn, error)', 'warn')
    .option(
      '--scenario <name>',
      'run a named, seeded fault scenario and verify it (`l2h scenarios` lists them)',
    )
    .option('--full', 'with --scenario: the full size instead of the CI size')
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  l2h replay                                   # the bundled day, verified, report in runs/…/report/\n' +
        '  l2h replay --tape day.tape.gz --speed 10     # a captured day at 10x\n' +
        '  l2h replay --tape day.tape --sinks jsonl,clickhouse,kafka --out runs/ci-123\n',
    )
    .action(async (flags: ReplayFlags, cmd: Command) => {
      // Every flag is read before any I/O: a typo must not cost generating the bundled day or
      // provisioning Kafka first.
      const logger = createLogger({ level: flags.logLevel });
      const out = flags.out ?? defaultOut();
      const command = `l2h ${process.argv.slice(2).join(' ')}`;
      const given = (name: string) => cmd.getOptionValueSource(name) === 'cli';
      let outcome: { dir: string; results: RunResults };
      if (flags.scenario !== undefined) {
        const refused = SCENARIO_SET.filter(given).map((name) => `--${name}`);
        if (refused.length > 0) {
          throw usageError(
            `${refused.join(', ')} cannot go with --scenario: the scenario sets ${refused.length === 1 ? 'it' : 'them'} itself`,
            '`l2h scenarios --json` shows what each scenario uses; drop the flag, or replay without --scenario',
          );
        }
        const scenario = findScenario(flags.scenario);
        const seed = given('seed') ? intOption('--seed', flags.seed, 0) : undefined;
        const timeoutMs = given('timeout') ? intOption('--timeout', flags.timeout, 1) * 1000 : undefined;
        outcome = await scenario.run({
          out,
          full: flags.full === true,
          tape: flags.tape,
          logger,
          seed,
          timeoutMs,
          command,
        });
      } else {
        if (flags.full)
          throw usageError('--full goes with --scenario', 'e.g. l2h replay --scenario crash-restart --full');
        const sinks = parseSinks(flags.sinks);
        const speed = parseSpeed(flags.speed);
        const rate = flags.rate === undefined ? null : intOption('--rate', flags.rate, 1);
        const depth = intOption('--depth', flags.depth, 1);
        const seed = intOption('--seed', flags.seed, 0);
        const timeoutMs = intOption('--timeout', flags.timeout, 1) * 1000;
        const tape = flags.tape ?? (await ensureDefaultDay());
        const services = await prepareSinkServices(sinks, out, logger);
        try {
          outcome = await runReplay({
            tape,
            out,
            speed,
            rate,
            sinks,
            depth,
            seed,
            timeoutMs,
            command,
            scenario: null,
            logger,
            collectorArgs: services.collectorArgs,
            collectorEnv: services.env,
            sinkSources: services.sources,
            services: services.describe,
            hooks: {
              extraChecks: (_control, verified) => services.extraChecks(verified, runPaths(out).data),
            },
          });
        } finally {
          await services.stop();
        }
      }
      const { files } = await writeReport(outcome.dir);
      process.stdout.write(
        formatSummary(
          outcome.results,
          outcome.dir,
          files.filter((f) => f.endsWith('.html')),
        ),
      );
      process.exitCode = outcome.results.verdict === 'pass' ? 0 : 1;
    });
}
