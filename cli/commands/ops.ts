import { dirname } from 'node:path';
import type { Command } from 'commander';
import { l2hCliPath } from '../../common/cli-path.js';
import { inputError, usageError } from '../../common/errors.js';
import { exists, isDirectory } from '../../common/paths.js';
import { follow, formatLogLine, lastLines } from '../../ops/log-follow.js';
import { watchAndRotate } from '../../ops/log-rotation.js';
import { DEFAULT_RUN_DIR, opsPaths } from '../../ops/paths.js';
import { isCollectorPid } from '../../ops/process.js';
import { startInBackground } from '../../ops/start.js';
import { splitStartArgs } from '../../ops/start-args.js';
import { collectorStatus } from '../../ops/status.js';
import { stopCollector } from '../../ops/stop.js';
import { intOption } from '../options.js';

const say = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

const START_HELP = `
Start flags (anywhere on the line; every other flag goes to \`l2h collect\` unchanged):
  --headless          no monitor page, nothing listens (the default); health from the status file
  --ui                serve the monitoring page too (127.0.0.1 on a free port unless --monitor
                      HOST:PORT is given) and print its URL; health from its /health
  --run-dir DIR       the run folder (default ./${DEFAULT_RUN_DIR}/): collector.pid, collector.log (+ .1…),
                      collector.out, status.json, start.json, and data/ and journal/ unless
                      --data-dir / --journal-dir say otherwise
  --timeout-s S       how long to wait for the collector to be healthy (default 30)
  --log-max-mb MB     rotate collector.log past this size (default 64)
  --log-keep N        rotated logs kept, collector.log.1 … .N (default 5)
  --resume            continue the session of the previous start (same journal): after a crash

It starts \`l2h collect\` in the background with --pid-file, --log-file and --status-file in the
run folder, waits until it is healthy (state ok or degraded), prints where the page, logs and data
are, and exits 0. If it exits or is not healthy in time: the reason and the last lines of its
output and log, exit 1 (a collector still running is left running and said so).

Logs rotate by size: a small rotator process beside the collector copies collector.log to
collector.log.1 (shifting older ones) and truncates it once it passes --log-max-mb; it exits with
the collector.

Examples:
  l2h start --headless --symbols AAPL,MSFT --host 127.0.0.1 --port-l1 5009 --port-l2 9200
  l2h start --ui --symbols AAPL --sinks jsonl,redis          (Redis from env L2H_REDIS_URL/REDIS_URL)
  l2h start --ui --monitor 0.0.0.0:8090 --monitor-token "$TOKEN" --symbols @ESZ24 --l2 mbo
  l2h start --headless --run-dir /var/lib/l2h --resume --symbols AAPL,MSFT
`;

const STOP_HELP = `
Sends SIGTERM: the collector stops reading, journals what arrived, lets every sink write and
checkpoint, and exits. Then prints what it flushed (journal, records, each sink's checkpoint and
lag) from its final status. Past --timeout-s it says so and leaves the process running.

Exit: 0 stopped, 1 still running after the timeout, 3 not running (no pid file, or a stale one,
which is removed).

Examples:
  l2h stop
  l2h stop --run-dir /var/lib/l2h --timeout-s 120
`;

const STATUS_HELP = `
Reads the collector's own status: its monitor's /api/status when started with --ui, else its
status file (rewritten every second). Shows since when it runs, messages per channel, records,
each sink's mode and lag, and the latest gap (from the JSONL gap files).

Exit codes, for scripts and health checks:
  0  running and healthy (state ok)
  1  running but degraded or down, or not reporting a current status (status file > 5 s old)
  3  not running (no pid file, or a stale pid file: the process it names is gone)

Examples:
  l2h status
  l2h status --json | jq .status.sinks
  l2h status --run-dir /var/lib/l2h || echo "collector needs attention"
`;

const LOGS_HELP = `
Prints the last lines of the collector's log (pino JSON shown as "time LEVEL message key=value";
--json for the raw lines). -f keeps following, across rotations, until Ctrl-C.

Examples:
  l2h logs
  l2h logs -f
  l2h logs -n 200 --json | jq 'select(.level >= 40)'
  l2h logs --out          the collector's stdout/stderr (start-up errors, ready/stopped events)

Exit 2 when the run folder does not exist, or (without -f) the file to print is not there.
`;

interface DirFlags {
  readonly runDir?: string;
}

export function registerOps(program: Command): void {
  program
    .command('start')
    .description('start the collector in the background and wait until it is healthy')
    .usage('[--headless|--ui] [--run-dir DIR] [start flags] --symbols A,B [collector flags…]')
    .allowUnknownOption()
    .allowExcessArguments()
    .addHelpText('after', START_HELP)
    .action(async (_flags: unknown, command: Command) => {
      const { flags, collect } = splitStartArgs(command.args);
      const outcome = await startInBackground({
        flags,
        collectArgs: collect,
        cliPath: l2hCliPath(),
        env: process.env,
        say,
      });
      process.exitCode = outcome.exitCode;
    });

  program
    .command('stop')
    .description('stop the background collector gracefully (drain, flush) and report what it flushed')
    .option('--run-dir <dir>', `the run folder, e.g. --run-dir ${DEFAULT_RUN_DIR}`)
    .option('--timeout-s <s>', 'how long to wait for it to exit after SIGTERM', '60')
    .addHelpText('after', STOP_HELP)
    .action(async (flags: DirFlags & { timeoutS: string }) => {
      const timeoutS = Number(flags.timeoutS);
      if (!Number.isFinite(timeoutS) || timeoutS <= 0)
        throw usageError(`--timeout-s must be a positive number, got "${flags.timeoutS}"`);
      process.exitCode = await stopCollector({ runDir: flags.runDir, timeoutS, say });
    });

  program
    .command('status')
    .description('is the collector running and healthy: messages, sink lag, latest gap (exit 0/1/3)')
    .option('--run-dir <dir>', `the run folder, e.g. --run-dir ${DEFAULT_RUN_DIR}`)
    .option('--json', 'print one JSON object instead of text')
    .option('--monitor-token <token>', 'the monitor token, when it has one (default: env L2H_MONITOR_TOKEN)')
    .addHelpText('after', STATUS_HELP)
    .action(async (flags: DirFlags & { json?: boolean; monitorToken?: string }) => {
      const report = await collectorStatus({
        runDir: flags.runDir,
        token: flags.monitorToken ?? process.env['L2H_MONITOR_TOKEN'],
      });
      if (flags.json) {
        say(
          JSON.stringify({
            running: report.running,
            pid: report.pid,
            healthy: report.exitCode === 0,
            problem: report.problem,
            source: report.reading?.source ?? null,
            assessment: report.reading?.assessment ?? null,
            latestGap: report.latestGap,
            status: report.reading?.status ?? null,
          }),
        );
      } else {
        for (const line of report.lines) say(line);
      }
      process.exitCode = report.exitCode;
    });

  program
    .command('logs')
    .description("print the collector's log; -f follows it")
    .option('--run-dir <dir>', `the run folder, e.g. --run-dir ${DEFAULT_RUN_DIR}`)
    .option('-f, --follow', 'keep printing new lines until Ctrl-C')
    .option('-n, --lines <n>', 'how many of the last lines to print first', '50')
    .option('--json', 'print the raw JSON lines')
    .option('--out', "the collector's stdout/stderr file instead of its log")
    .addHelpText('after', LOGS_HELP)
    .action(async (flags: DirFlags & { follow?: boolean; lines: string; json?: boolean; out?: boolean }) => {
      const count = intOption('--lines', flags.lines, 0);
      const paths = opsPaths(flags.runDir);
      const file = flags.out ? paths.outFile : paths.logFile;
      // Printing nothing for a mistyped --run-dir reads as "the collector logged nothing".
      if (!(await isDirectory(paths.dir))) {
        throw inputError(
          'run folder not found',
          { dir: paths.dir },
          'pass the --run-dir given to `l2h start` (default ./run)',
        );
      }
      if (!flags.follow && !(await exists(file))) {
        throw inputError(
          `no collector ${flags.out ? 'output' : 'log'} in the run folder`,
          { file },
          'has a collector been started here (`l2h start --run-dir DIR`)? -f waits for the file',
        );
      }
      const show = (line: string) => say(flags.json ? line : formatLogLine(line));
      for (const line of await lastLines(file, count)) show(line);
      if (!flags.follow) return;
      const abort = new AbortController();
      const stop = () => abort.abort();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      await follow({ path: file, everyMs: 200, signal: abort.signal, onLine: show });
    });

  // Started by `l2h start` beside the collector; not for people, hence hidden.
  program
    .command('_rotate-logs', { hidden: true })
    .argument('<log-file>')
    .argument('<pid>')
    .argument('<max-bytes>')
    .argument('<keep>')
    .action(async (logFile: string, pidText: string, maxText: string, keepText: string) => {
      const pid = intOption('<pid>', pidText, 1);
      const maxBytes = intOption('<max-bytes>', maxText, 1);
      const keep = intOption('<keep>', keepText, 1);
      await watchAndRotate({
        logFile,
        // The run folder's collector: the log file sits in it beside the pid file it was given.
        isAlive: async () => (await isCollectorPid(pid, opsPaths(dirname(logFile)).pidFile)).alive,
        options: { maxBytes, keep },
        everyMs: 2000,
        onError: (err) => process.stderr.write(`log rotation failed: ${String(err)}\n`),
      });
    });
}
