import type { Command } from 'commander';
import { SINK_NAMES, type SinkName } from '../../collector/sinks/sink.js';
import { usageError } from '../../common/errors.js';
import { createLogger } from '../../common/logger.js';
import { ensureDefaultDay } from '../../fixtures/default-day.js';
import { runReplay } from '../../harness/replay/replay.js';
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
    .option(
      '--sinks <list>',
      `sinks to enable, comma separated (${SINK_NAMES.join(', ')}); jsonl is always on`,
      'jsonl',
    )
    .option('--out <dir>', 'run directory to create (default runs/<UTC timestamp>)')
    .option('--depth <levels>', 'book levels per side in L2 records', '10')
    .option('--seed <n>', 'seed for the simulator (and faults, where a scenario has them)', '1')
    .option('--timeout <s>', 'give up when the replay has not finished after this many seconds', '1800')
    .option('--log-level <level>', 'log level on stderr (debug, info, warn, error)', 'warn')
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  l2h replay                                   # the bundled day, verified, report in runs/…/report/\n' +
        '  l2h replay --tape day.tape.gz --speed 10     # a captured day at 10x\n' +
        '  l2h replay --tape day.tape --sinks jsonl,clickhouse,kafka --out runs/ci-123\n',
    )
    .action(async (flags: ReplayFlags) => {
      const logger = createLogger({ level: flags.logLevel });
      const tape = flags.tape ?? (await ensureDefaultDay());
      const { dir, results } = await runReplay({
        tape,
        out: flags.out ?? defaultOut(),
        speed: parseSpeed(flags.speed),
        rate: flags.rate === undefined ? null : intOption('--rate', flags.rate, 1),
        sinks: parseSinks(flags.sinks),
        depth: intOption('--depth', flags.depth, 1),
        seed: intOption('--seed', flags.seed, 0),
        timeoutMs: intOption('--timeout', flags.timeout, 1) * 1000,
        command: `l2h ${process.argv.slice(2).join(' ')}`,
        scenario: null,
        logger,
      });
      const { files } = await writeReport(dir);
      process.stdout.write(
        formatSummary(
          results,
          dir,
          files.filter((f) => f.endsWith('.html')),
        ),
      );
      process.exitCode = results.verdict === 'pass' ? 0 : 1;
    });
}
