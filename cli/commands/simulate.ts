import type { Command } from 'commander';
import { usageError } from '../../common/errors.js';
import { createLogger } from '../../common/logger.js';
import { loadFaultSpec } from '../../simulator/faults/spec.js';
import { type SimulatorEvent, startSimulator } from '../../simulator/index.js';
import { DEFAULTS, parseNumberFlag, parseSpeed, parseStartMode } from '../../simulator/options.js';

interface SimulateFlags {
  readonly tape?: string;
  readonly host: string;
  readonly portL1: string;
  readonly portL2: string;
  readonly portAdmin: string;
  readonly speed?: string;
  readonly rate?: string;
  readonly start: string;
  readonly seed: string;
  readonly maxQueueKb: string;
  readonly exitAtEnd?: boolean;
  readonly stats?: string;
  readonly faults?: string;
  readonly maxSymbols?: string;
  readonly holdWhenUnwatched?: boolean;
  readonly waitForClients?: boolean;
  readonly progressEvery?: string;
  readonly checkpointEvery?: string;
  readonly logLevel?: string;
}

const HELP = `
Output: stdout carries JSON lines only, one per event, for the program that started us:
  {"event":"ready","host":"127.0.0.1","ports":{"L1":5009,"L2":9200,"ADMIN":9300},"pid":1234}
  {"event":"progress","linesReplayed":N,"simUs":…}   with --progress-every N, every N tape lines
  {"event":"tape-end",…}   the tape is exhausted and every client queue is flushed
  {"event":"stats",…}      at the end of the run: lines/bytes/SHA-256 per connection, per
                           channel, per symbol and per message type
Human-readable logs go to stderr.

The run ends on SIGTERM/SIGINT, on "S,L2H END" sent to the admin port, or after the tape
with --exit-at-end. Otherwise the simulator keeps serving after the tape, as IQConnect would:
its clock runs on from the tape's end, with a T line a second on L1/L2 and S,STATS on admin.

Examples:
  l2h simulate --tape day.tape                                  IQConnect's ports, recorded time
  l2h simulate --tape day.tape --port-l1 0 --port-l2 0 --port-admin 0 --speed max --exit-at-end
  l2h simulate --tape day.tape --rate 10000 --start now --stats sim-stats.json
  l2h simulate --tape day.tape --speed 10 --start all-watched --seed 7
  l2h simulate --tape day.tape --seed 7 --faults faults.json
  l2h simulate --tape day.tape --faults '{"faults":[{"kind":"reset","channel":"L2","at":{"line":5000}}]}'

Faults (--faults: a JSON file, or inline JSON starting with "{"), each fired once at its point:
  {"seed":7,
   "faults":[{"kind":"split","channel":"L2","at":{"line":1200},"byte":41},
             {"kind":"outage","channel":"L1","symbol":"AAPL","at":{"timeMs":60000},"ms":2000}],
   "random":[{"kinds":["close","reset"],"channels":["L1","L2"],"count":50,"lines":[1000,900000]}]}
  kinds: drop, duplicate, corrupt (field), truncate (keep), split (byte; inside CRLF too),
         garbage / binary / oversized (bytes), time-backwards (backMs), unknown-type,
         stall / full-buffer (ms), close (FIN), reset (RST), outage (ms: S,SERVER DISCONNECTED,
         FIN, then connections on the channel refused)
  at.line counts the lines offered on the channel (or, with "symbol", about that symbol) from 0;
  at.timeMs is simulated time since the tape's time base. The stats' "faults" lists each fault
  injected: connection, line index, simulated time and what exactly was done.
`;

export function registerSimulate(program: Command): void {
  program
    .command('simulate')
    .description('impersonate IQConnect: listen on the L1/L2/admin ports and replay a tape to the clients')
    .requiredOption('--tape <file>', 'the tape to replay (.tape or .tape.gz), e.g. --tape fixtures/day.tape')
    .option('--host <addr>', 'interface to listen on, e.g. --host 127.0.0.1', DEFAULTS.host)
    .option('--port-l1 <port>', 'Level 1 port; 0 picks a free one, e.g. --port-l1 0', '5009')
    .option('--port-l2 <port>', 'Level 2 port; 0 picks a free one, e.g. --port-l2 19200', '9200')
    .option('--port-admin <port>', 'admin port; 0 picks a free one, e.g. --port-admin 0', '9300')
    .option(
      '--speed <n|max>',
      'replay speed: 1 = recorded time, N = N times faster, max = as fast as clients read (default 1), e.g. --speed 10',
    )
    .option(
      '--rate <lines/s>',
      'send a fixed number of lines per second whatever the tape timing, e.g. --rate 10000',
    )
    .option(
      '--start <mode>',
      'when the replay clock starts: first-watch (first watch on any port), now, or all-watched (every #symbols ' +
        'symbol watched on L1 and L2: deterministic runs), e.g. --start all-watched',
      DEFAULTS.start,
    )
    .option(
      '--seed <n>',
      'seed for every random choice (banner token, faults without their own seed), e.g. --seed 7',
      '1',
    )
    .option(
      '--max-queue-kb <kb>',
      'per-connection output bound in KiB; an L1/L2 client over it falls behind alone and is served from the tape ' +
        'until it catches up (with --wait-for-clients the replay waits for it instead; an admin client over it ' +
        'misses its periodic pushes), e.g. --max-queue-kb 1024',
      String(DEFAULTS.maxQueueKb),
    )
    .option(
      '--faults <spec>',
      'inject faults: a JSON file or inline JSON (see below), seeded by its "seed" or --seed, e.g. --faults faults.json',
    )
    .option(
      '--max-symbols <n>',
      'symbols one connection may watch; past it a watch gets S,SYMBOL LIMIT REACHED,<sym> (default: no limit), e.g. --max-symbols 500',
    )
    .option(
      '--hold-when-unwatched',
      'not IQConnect behaviour, for harnesses that restart their client: the replay waits while a channel ' +
        'with tape lines has no client watching anything, so the tape does not run on while it is down',
    )
    .option(
      '--wait-for-clients',
      'not IQConnect behaviour, for a harness with one client such as benches: the replay waits for the slowest ' +
        'L1/L2 client instead of leaving it to fall behind and be served from the tape (one pass over the tape); ' +
        'one client that stops reading stops the replay for every client; when paced, a wait shifts the schedule',
    )
    .option(
      '--progress-every <lines>',
      'print a progress event every this many tape lines, e.g. --progress-every 1000',
    )
    .option(
      '--checkpoint-every <lines>',
      "note each connection's running SHA-256 every this many lines (default 100000): a verification " +
        'compares a connection cut short by a crash up to its last checkpoint, e.g. --checkpoint-every 500',
    )
    .option('--exit-at-end', 'exit once the tape is replayed and every queue is flushed')
    .option('--stats <file>', 'also write the final stats JSON to this file, e.g. --stats run/sim-stats.json')
    .option(
      '--log-level <level>',
      'stderr log level: debug, info, warn, error, silent, e.g. --log-level warn',
    )
    .addHelpText('after', HELP)
    .action(async (flags: SimulateFlags) => {
      if (!flags.tape) throw usageError('--tape is required', 'e.g. l2h simulate --tape day.tape');
      const logger = createLogger({ level: flags.logLevel, name: 'simulate' });
      const emit = (event: SimulatorEvent): void => {
        process.stdout.write(`${JSON.stringify(event)}\n`);
      };
      const handle = await startSimulator({
        tape: flags.tape,
        host: flags.host,
        ports: {
          L1: parseNumberFlag(flags.portL1, '--port-l1', 0, true),
          L2: parseNumberFlag(flags.portL2, '--port-l2', 0, true),
          ADMIN: parseNumberFlag(flags.portAdmin, '--port-admin', 0, true),
        },
        speed: flags.speed === undefined ? undefined : parseSpeed(flags.speed),
        rate: flags.rate === undefined ? undefined : parseNumberFlag(flags.rate, '--rate', 0, false),
        start: parseStartMode(flags.start),
        seed: parseNumberFlag(flags.seed, '--seed', 0, true),
        maxQueueKb: parseNumberFlag(flags.maxQueueKb, '--max-queue-kb', 1, false),
        exitAtEnd: flags.exitAtEnd ?? false,
        statsFile: flags.stats,
        faults: flags.faults === undefined ? undefined : await loadFaultSpec(flags.faults),
        maxSymbols:
          flags.maxSymbols === undefined
            ? undefined
            : parseNumberFlag(flags.maxSymbols, '--max-symbols', 1, true),
        holdWhenUnwatched: flags.holdWhenUnwatched ?? false,
        waitForClients: flags.waitForClients ?? false,
        progressEvery:
          flags.progressEvery === undefined
            ? undefined
            : parseNumberFlag(flags.progressEvery, '--progress-every', 1, true),
        checkpointEvery:
          flags.checkpointEvery === undefined
            ? undefined
            : parseNumberFlag(flags.checkpointEvery, '--checkpoint-every', 1, true),
        logger,
        onEvent: emit,
      });
      const onSignal = (signal: string): void => {
        logger.info({ signal }, 'stopping');
        void handle.stop('signal');
      };
      process.once('SIGTERM', () => onSignal('SIGTERM'));
      process.once('SIGINT', () => onSignal('SIGINT'));
      await handle.finished;
      if (handle.error !== null) throw handle.error;
    });
}
