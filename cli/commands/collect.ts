import type { Command } from 'commander';
import { L2_FAMILIES, type L2Family } from '../../collector/feed/options.js';
import {
  acquirePidFile,
  COLLECTOR_DEFAULTS,
  type CollectorHandle,
  type MonitorEndpoint,
  startCollector,
  tuneGc,
} from '../../collector/pipeline/index.js';
import { MAX_TIMER_MS } from '../../collector/pipeline/options.js';
import { KAFKA_CLIENTS, type KafkaClientName } from '../../collector/sinks/kafka/kafka-sink.js';
import { parseBrokers } from '../../collector/sinks/kafka/topics.js';
import { availableSinks, parseSinkList, type SinkEndpoints } from '../../collector/sinks/registry.js';
import { usageError } from '../../common/errors.js';
import { createLogger } from '../../common/logger.js';
import { isInteractive } from '../../common/progress.js';

export interface CollectFlags {
  readonly symbols: string;
  readonly host: string;
  readonly portL1: string;
  readonly portL2: string;
  readonly portAdmin: string;
  readonly admin: boolean;
  readonly l2: string;
  readonly depth: string;
  readonly sinks: string;
  readonly dataDir: string;
  readonly journalDir: string;
  readonly session?: string;
  readonly flushMs: string;
  readonly rotateMb: string;
  readonly monitor?: string;
  readonly monitorToken?: string;
  readonly pidFile?: string;
  readonly logFile?: string;
  readonly logLevel?: string;
  readonly statusFile?: string;
  readonly statusEveryMs: string;
  readonly drainTimeoutS: string;
  readonly clickhouseUrl?: string;
  readonly clickhouseDb?: string;
  readonly kafkaBrokers?: string;
  readonly kafkaTopicPrefix?: string;
  readonly kafkaClient?: string;
  readonly redisUrl?: string;
  readonly redisPrefix?: string;
  readonly redisStreamMaxlen?: string;
  readonly iqfeedProduct?: string;
  readonly iqfeedProductVersion?: string;
  readonly iqfeedLogin?: string;
  readonly iqfeedPassword?: string;
  readonly maxJournalMb?: string;
  readonly staleMs?: string;
  readonly maxLineKb?: string;
  readonly sinkQueueMb?: string;
}

function kafkaClientName(text: string | undefined): KafkaClientName | undefined {
  if (text === undefined || text === '') return undefined;
  const name = KAFKA_CLIENTS.find((c) => c === text.trim().toLowerCase());
  if (name === undefined) {
    throw usageError(
      `unknown Kafka client ${JSON.stringify(text)}: expected ${KAFKA_CLIENTS.join(' or ')}`,
      'e.g. --kafka-client kafkajs',
    );
  }
  return name;
}

/** IQFeed login and product registration from flags, else the environment; absent when none given. */
function iqfeedLogin(flags: CollectFlags, env: NodeJS.ProcessEnv = process.env) {
  const login = {
    productId: flags.iqfeedProduct ?? env.L2H_IQFEED_PRODUCT,
    productVersion: flags.iqfeedProductVersion,
    loginId: flags.iqfeedLogin ?? env.L2H_IQFEED_LOGIN,
    password: flags.iqfeedPassword ?? env.L2H_IQFEED_PASSWORD,
  };
  return Object.fromEntries(Object.entries(login).filter(([, v]) => v !== undefined && v !== ''));
}

/**
 * Service endpoints from flags, else the environment (the harness passes them by environment so
 * that a password in a URL never shows in `ps` or in a run's recorded command line).
 */
export function sinkEndpoints(flags: CollectFlags, env: NodeJS.ProcessEnv = process.env): SinkEndpoints {
  const chUrl = flags.clickhouseUrl ?? env.CLICKHOUSE_URL;
  const brokers = flags.kafkaBrokers ?? env.KAFKA_BROKERS;
  const redisUrl = flags.redisUrl ?? env.L2H_REDIS_URL ?? env.REDIS_URL;
  const maxLen = flags.redisStreamMaxlen ?? env.L2H_REDIS_STREAM_MAXLEN;
  return {
    ...(chUrl ? { clickhouse: { url: chUrl, database: flags.clickhouseDb } } : {}),
    ...(brokers
      ? {
          kafka: {
            // Checked here: a broker no client can reach would only be retried for ever.
            brokers: parseBrokers(brokers),
            topicPrefix: flags.kafkaTopicPrefix,
            client: kafkaClientName(flags.kafkaClient ?? env.L2H_KAFKA_CLIENT),
          },
        }
      : {}),
    ...(redisUrl
      ? {
          redis: {
            url: redisUrl,
            keyPrefix: flags.redisPrefix ?? env.L2H_REDIS_PREFIX,
            streamMaxLen:
              maxLen === undefined ? undefined : parsePositive(maxLen, '--redis-stream-maxlen', true),
          },
        }
      : {}),
  };
}

const HELP = `
Journals every line IQConnect sends (the write-ahead log), rebuilds the order books, and writes
L2 snapshots, L1 quotes, trade ticks and gap markers to the sinks. Stop with SIGTERM or Ctrl-C:
it stops reading, journals what arrived, lets the sinks write and checkpoint, closes its files and
exits 0. After any stop (kill -9 included) run it again with the same --journal-dir and --session:
it re-derives the journal and each sink gets exactly what it lacks.

Output: stdout carries JSON lines for the program that started us:
  {"event":"ready","session":"…","sessionDir":"…","resumed":false,"pid":1234,"monitor":null}
  {"event":"stopped","session":"…","sinksDrained":true,"error":null}
Logs go to stderr, or to --log-file. With --status-file the status JSON is rewritten every second (--status-every-ms).

Files:
  <journal-dir>/<session>/journal-000001.tape…, events.jsonl, checkpoints/<sink>.json
  <data-dir>/<SYMBOL>_<kind>_<YYYYMMDD>.jsonl   kind: l2, l1, ticks, gaps; symbols with characters
      unsafe in file names are %-escaped (@ES# → %40ES%23)

Exit: 0 after a graceful stop, 1 when the collector stopped on a failure (journal disk limit,
protocol refused), 2 on bad flags or unusable directories.

L2 families (--l2), as IQFeed serves depth (../shared/protocol §6.1): Nasdaq equities only by
order (mbo, which also carries the market makers' rows); MBO futures by order or by price (mbo,
mbp); other futures by price only (mbp); mm is the legacy market-maker watch of protocol 6.1 and
older: mm for every symbol makes the L2 port ask for 6.1, while mm mixed with mbo/mbp keeps 6.2
and is warned about at start (what IQConnect 6.2 does with a legacy watch is undocumented). A
symbol watched in a family it has no depth for is answered q,<SYMBOL>: counted in the status
(totals.noDepth, problems.noDepth), /metrics and the monitor page.

Examples:
  l2h collect --symbols AAPL,MSFT --l2 mbo
  l2h collect --symbols AAPL,@ESZ24 --l2 AAPL=mbo,@ESZ24=mbp --depth 10 --data-dir data --journal-dir journal
  l2h collect --symbols @ESZ24 --l2 mbo --port-l1 15009 --port-l2 19200 --port-admin 19300 --monitor 127.0.0.1:8090
  l2h collect --symbols AAPL --session 0b6f… --journal-dir journal   resume a session after a restart
  nohup l2h collect --symbols AAPL --pid-file run/collector.pid --log-file run/collector.log \\
      --status-file run/status.json >run/collector.out 2>&1 &          headless (see docs/l2h-collector.service)
`;

function parsePort(text: string, flag: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isInteger(n) || n < 1 || n > 65535) {
    throw usageError(`${flag} must be a port 1–65535, got ${JSON.stringify(text)}`, `e.g. ${flag} 9200`);
  }
  return n;
}

function parsePositive(text: string, flag: string, integer: boolean): number {
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) {
    throw usageError(
      `${flag} must be a positive ${integer ? 'whole ' : ''}number, got ${JSON.stringify(text)}`,
    );
  }
  return n;
}

/**
 * A flag that sets a timer, in ms (`unitMs` 1) or s (1000): refused past what a Node timer can
 * hold, since a longer one fires after 1 ms and a "wait very long" would become "do not wait".
 */
function parseDelayMs(text: string, flag: string, unitMs: 1 | 1000, integer: boolean): number {
  const n = parsePositive(text, flag, integer);
  const max = Math.floor(MAX_TIMER_MS / unitMs);
  if (n > max) {
    throw usageError(
      `${flag} must be at most ${max} (about 24.8 days, the longest a timer can wait), got ${JSON.stringify(text)}`,
    );
  }
  return n * unitMs;
}

function family(text: string, where: string): L2Family {
  const f = L2_FAMILIES.find((x) => x === text.trim().toLowerCase());
  if (f === undefined) {
    throw usageError(
      `--l2: unknown family ${JSON.stringify(text)}${where}: accepted ${L2_FAMILIES.join(', ')}`,
      'e.g. --l2 mbp or --l2 AAPL=mbo,IBM=mm',
    );
  }
  return f;
}

/** `--l2 mbp`, `--l2 AAPL=mbo,IBM=mm`, or a default plus overrides: `--l2 mbo,IBM=mm`. */
export function parseFamilies(text: string, symbols: readonly string[]): L2Family | Record<string, L2Family> {
  let fallback: L2Family = 'mbp';
  const per: Record<string, L2Family> = {};
  let any = false;
  for (const part of text.split(',')) {
    const p = part.trim();
    if (p === '') continue;
    const eq = p.indexOf('=');
    if (eq < 0) {
      fallback = family(p, '');
      continue;
    }
    const sym = p.slice(0, eq).trim().toUpperCase();
    if (!symbols.includes(sym))
      throw usageError(`--l2 names ${JSON.stringify(sym)}, which is not in --symbols (${symbols.join(',')})`);
    per[sym] = family(p.slice(eq + 1), ` for ${sym}`);
    any = true;
  }
  if (!any) return fallback;
  for (const s of symbols) per[s] ??= fallback;
  return per;
}

/** `HOST:PORT`, `:PORT` (loopback) or `[v6]:PORT`. */
export function parseMonitor(text: string, token: string | undefined): MonitorEndpoint {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(text.trim());
  const port = m === null ? Number.NaN : Number(m[3]);
  if (m === null || !Number.isInteger(port) || port > 65535) {
    throw usageError(
      `--monitor must be HOST:PORT, got ${JSON.stringify(text)}`,
      'e.g. --monitor 127.0.0.1:8090 (port 0 picks a free one)',
    );
  }
  const host = m[1] ?? (m[2] === '' ? '127.0.0.1' : m[2]);
  return { host, port, ...(token ? { token } : {}) };
}

export function registerCollect(program: Command): void {
  program
    .command('collect')
    .description('the collector: journal every IQConnect line, rebuild books, write records to the sinks')
    .requiredOption(
      '--symbols <list>',
      'symbols to watch on L1 and L2, comma-separated, e.g. --symbols AAPL,MSFT',
    )
    .option('--host <addr>', 'IQConnect (or simulator) host, e.g. --host 127.0.0.1', '127.0.0.1')
    .option('--port-l1 <port>', 'Level 1 port, e.g. --port-l1 5009', '5009')
    .option('--port-l2 <port>', 'Level 2 port, e.g. --port-l2 9200', '9200')
    .option('--port-admin <port>', 'admin port (IQConnect status), e.g. --port-admin 9300', '9300')
    .option('--no-admin', 'do not connect the admin port')
    .option(
      '--l2 <families>',
      `L2 watch per symbol: ${L2_FAMILIES.join('|')} for all, or AAPL=mbo,IBM=mm`,
      'mbp',
    )
    .option('--depth <n>', 'levels per side in an L2 record, e.g. --depth 10', '10')
    .option(
      '--sinks <list>',
      `sinks, comma-separated; accepted: ${availableSinks().join(', ')}`,
      COLLECTOR_DEFAULTS.sinks.join(','),
    )
    .option('--data-dir <dir>', 'where the JSONL files go, e.g. --data-dir data', 'data')
    .option('--journal-dir <dir>', 'where journal sessions live, e.g. --journal-dir journal', 'journal')
    .option('--session <id>', 'resume (or start) this journal session instead of a new one')
    .option(
      '--flush-ms <ms>',
      'journal fdatasync interval: the most a crash can lose',
      String(COLLECTOR_DEFAULTS.flushMs),
    )
    .option('--rotate-mb <mb>', 'journal segment size in MiB', String(COLLECTOR_DEFAULTS.rotateMb))
    .option(
      '--sink-queue-mb <mb>',
      "records (their JSONL bytes) each sink's queue may hold while the sink is behind; past that it catches up from the journal instead (default 512 for clickhouse and kafka, 64 for jsonl, none for redis; clickhouse and kafka also stop at 1M records, redis at 100k), e.g. --sink-queue-mb 128",
    )
    .option(
      '--monitor <host:port>',
      'serve the live page, /metrics and /health there, e.g. --monitor 127.0.0.1:8090',
    )
    .option(
      '--monitor-token <token>',
      'require this token on the monitor (default: env L2H_MONITOR_TOKEN); needed off loopback',
    )
    .option('--pid-file <file>', 'write our pid here; refuse to start while it names a live process')
    .option('--log-file <file>', 'append logs here instead of stderr')
    .option('--log-level <level>', 'debug, info, warn, error, silent', 'info')
    .option('--status-file <file>', 'rewrite the status JSON here every --status-every-ms and at exit')
    .option('--status-every-ms <ms>', 'how often --status-file is rewritten', '1000')
    .option('--drain-timeout-s <s>', 'on stop, wait this long for sinks to write what they hold', '30')
    .option(
      '--clickhouse-url <url>',
      'ClickHouse HTTP URL for --sinks clickhouse (default: env CLICKHOUSE_URL)',
    )
    .option(
      '--clickhouse-db <name>',
      'ClickHouse database, created if missing (default: the URL path, else l2h)',
    )
    .option(
      '--kafka-brokers <list>',
      'Kafka bootstrap brokers for --sinks kafka (default: env KAFKA_BROKERS)',
    )
    .option('--kafka-topic-prefix <p>', 'Kafka topics are <p>l2, <p>l1, <p>ticks, <p>gaps (default iqfeed.)')
    .option(
      '--kafka-client <name>',
      'Kafka producer: wire (our own produce path, the default: a few µs of CPU per record) or kafkajs (default: env L2H_KAFKA_CLIENT, else wire)',
    )
    .option('--redis-url <url>', 'Redis URL for --sinks redis (default: env L2H_REDIS_URL, then REDIS_URL)')
    .option('--redis-prefix <p>', 'prefix of every Redis key (default l2h:)')
    .option('--redis-stream-maxlen <n>', 'records each Redis stream keeps, about (default 10000)')
    .option(
      '--iqfeed-product <id>',
      'register this product id with IQConnect on the admin port (S,REGISTER CLIENT APP)',
    )
    .option('--iqfeed-product-version <v>', 'product version sent with --iqfeed-product')
    .option('--iqfeed-login <id>', 'IQFeed login id, sent on the admin port (env L2H_IQFEED_LOGIN)')
    .option(
      '--iqfeed-password <pw>',
      'IQFeed password; prefer env L2H_IQFEED_PASSWORD (a flag shows in ps); never logged',
    )
    .option(
      '--max-journal-mb <mb>',
      'stop (exit 1, loudly) before the journal session takes more than this on disk',
    )
    .option(
      '--max-line-kb <kb>',
      'longest feed line kept whole; a longer one is journaled, nothing lost, as pieces of this size (logged as a warning; pieces the decoder cannot read count as malformed) (default 4096), e.g. --max-line-kb 1024',
    )
    .option(
      '--stale-ms <ms>',
      'a connected port silent this long is stale: reconnect (IQConnect sends T every second)',
      '5000',
    )
    .addHelpText('after', HELP)
    .action(async (flags: CollectFlags) => {
      const symbols = flags.symbols
        .split(',')
        .map((s) => s.trim().toUpperCase())
        .filter((s) => s !== '');
      if (symbols.length === 0) throw usageError('--symbols names no symbol', 'e.g. --symbols AAPL,MSFT');
      const token = flags.monitorToken ?? process.env.L2H_MONITOR_TOKEN;
      const options = {
        symbols,
        host: flags.host,
        ports: {
          L1: parsePort(flags.portL1, '--port-l1'),
          L2: parsePort(flags.portL2, '--port-l2'),
          ADMIN: parsePort(flags.portAdmin, '--port-admin'),
        },
        family: parseFamilies(flags.l2, symbols),
        depth: parsePositive(flags.depth, '--depth', true),
        sinks: parseSinkList(flags.sinks),
        endpoints: sinkEndpoints(flags),
        dataDir: flags.dataDir,
        journalDir: flags.journalDir,
        session: flags.session,
        flushMs: parseDelayMs(flags.flushMs, '--flush-ms', 1, false),
        rotateMb: parsePositive(flags.rotateMb, '--rotate-mb', false),
        ...(flags.sinkQueueMb === undefined
          ? {}
          : {
              runner: {
                queueBytes: parsePositive(flags.sinkQueueMb, '--sink-queue-mb', false) * 1024 * 1024,
              },
            }),
        monitor: flags.monitor === undefined ? null : parseMonitor(flags.monitor, token),
        statusFile: flags.statusFile ?? null,
        statusEveryMs: parseDelayMs(flags.statusEveryMs, '--status-every-ms', 1, true),
        drainTimeoutMs: parseDelayMs(flags.drainTimeoutS, '--drain-timeout-s', 1000, false),
        maxJournalMb:
          flags.maxJournalMb === undefined
            ? undefined
            : parsePositive(flags.maxJournalMb, '--max-journal-mb', false),
        feed: {
          admin: flags.admin,
          staleMs: parseDelayMs(flags.staleMs ?? '5000', '--stale-ms', 1, true),
          ...(flags.maxLineKb === undefined
            ? {}
            : { maxLineBytes: parsePositive(flags.maxLineKb, '--max-line-kb', true) * 1024 }),
          iqfeed: iqfeedLogin(flags),
        },
      };
      const logger = createLogger({ level: flags.logLevel, file: flags.logFile, name: 'collect' });
      const gc = tuneGc();
      logger.info(
        gc,
        gc.parallelScavenge
          ? 'V8 scavenges in parallel'
          : 'V8 scavenges on the main thread only (2 cores or fewer)',
      );
      const pid = flags.pidFile === undefined ? null : await acquirePidFile(flags.pidFile);
      if (pid?.replacedStale != null)
        logger.warn({ file: pid.path, stalePid: pid.replacedStale }, 'replaced a stale pid file');
      // Handlers go in before start-up: resuming re-derives the whole journal (seconds to tens of
      // seconds), and a signal then (systemctl restart, l2h stop) must still stop gracefully
      // rather than kill us by its default action.
      let handle: CollectorHandle | null = null;
      let stopAsked: NodeJS.Signals | null = null;
      let signals = 0;
      const onSignal = (signal: NodeJS.Signals): void => {
        signals++;
        if (signals > 1) {
          // The journal is crash-safe: a second signal may cut the drain short.
          logger.warn({ signal }, 'second signal: exiting now; the next start resumes from the journal');
          process.exit(1);
        }
        if (handle === null) {
          logger.info({ signal }, 'signal during start-up: stopping gracefully once started');
          stopAsked = signal;
          return;
        }
        logger.info({ signal }, 'signal: stopping gracefully');
        void handle.stop(signal);
      };
      process.on('SIGTERM', onSignal);
      process.on('SIGINT', onSignal);
      try {
        const started = await startCollector({ ...options, logger });
        handle = started;
        process.stdout.write(
          `${JSON.stringify({ event: 'ready', session: started.session, sessionDir: started.sessionDir, resumed: started.resumed, pid: process.pid, monitor: started.monitorUrl })}\n`,
        );
        if (stopAsked !== null) void started.stop(stopAsked);
        const progress = isInteractive() ? setInterval(() => showProgress(started.status()), 1000) : null;
        const result = await started.done;
        if (progress !== null) {
          clearInterval(progress);
          process.stderr.write('\n');
        }
        process.stdout.write(
          `${JSON.stringify({ event: 'stopped', session: result.session, sinksDrained: result.sinksDrained, error: result.error?.describe() ?? null })}\n`,
        );
        if (result.error !== null) throw result.error;
      } finally {
        process.off('SIGTERM', onSignal);
        process.off('SIGINT', onSignal);
        await pid?.release();
        logger.flush();
      }
    });
}

function showProgress(s: ReturnType<Awaited<ReturnType<typeof startCollector>>['status']>): void {
  const rate = (n: number) => Math.round(n).toLocaleString('en-US');
  const sinks = s.sinks.map((k) => `${k.name} ${k.mode} lag ${k.lag}`).join(', ');
  process.stderr.write(
    `\r${s.state.padEnd(8)} L1 ${rate(s.rates.L1)}/s L2 ${rate(s.rates.L2)}/s | records ${rate(
      s.totals.records.l2 + s.totals.records.l1 + s.totals.records.ticks + s.totals.records.gaps,
    )} | ${sinks}   `,
  );
}
