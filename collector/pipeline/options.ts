/**
 * Collector options: what a caller (the CLI, the replay harness, a test) may say, and the resolved
 * form with every default filled in. Defaults live here and nowhere else.
 */
import { resolve } from 'node:path';
import { type Clock, systemClock } from '../../common/clock.js';
import { usageError } from '../../common/errors.js';
import { type Logger, silentLogger } from '../../common/logger.js';
import { type FeedOptions, type FeedOptionsInput, resolveFeedOptions } from '../feed/options.js';
import type { JournalFs } from '../journal/files.js';
import type { Channel } from '../protocol/channel.js';
import { availableSinks, missingEndpoints, type SinkContext, type SinkEndpoints } from '../sinks/registry.js';
import type { Sink, SinkName } from '../sinks/sink.js';

const MiB = 1024 * 1024;

export interface MonitorEndpoint {
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  readonly token?: string;
}

export interface JournalSettings {
  /** Above this many unwritten bytes the feed is paused until half of it is written (default 8 MiB). */
  readonly highWaterBytes?: number;
  /**
   * fdatasync after each turn of appends, one at a time (default true): a line is durable, and
   * its records may go to the sinks, about one fdatasync after it arrived; `flushMs` stays the
   * upper bound. False: only the `flushMs` timer syncs (fewer fdatasyncs, `flushMs` of latency).
   */
  readonly groupCommit?: boolean;
  readonly fs?: JournalFs;
}

/** Sink runner settings (defaults per sink come from the sink registry). */
export interface RunnerSettings {
  readonly queueCapacity?: number;
  /** Bytes of records a sink's queue holds before the sink leaves live mode and catches up. */
  readonly queueBytes?: number;
  readonly batchSize?: number;
  readonly batchMs?: number;
}

export interface CollectorOptions {
  readonly symbols: readonly string[];
  readonly host?: string;
  readonly ports?: Partial<Record<Channel, number>>;
  /** One L2 family for every symbol, or one per symbol (missing ones: `mbp`). */
  readonly family?: FeedOptionsInput['family'];
  /** Levels per side in an L2 record (default 10). */
  readonly depth?: number;
  /** Default `['jsonl']`. */
  readonly sinks?: readonly SinkName[];
  /** Where the ClickHouse, Kafka and Redis sinks write. */
  readonly endpoints?: SinkEndpoints;
  readonly dataDir: string;
  readonly journalDir: string;
  /** Resume (or start) this journal session; default a new one. */
  readonly session?: string;
  /**
   * The longest appended lines wait for their fdatasync (default 100 ms): the most a crash can
   * lose. With group commit (the default) lines are synced as soon as the disk is free, well
   * within it.
   */
  readonly flushMs?: number;
  /** Journal segment size (default 256 MiB). */
  readonly rotateMb?: number;
  /** Stop journaling (and the collector) before the session takes more than this on disk. */
  readonly maxJournalMb?: number;
  readonly monitor?: MonitorEndpoint | null;
  /** Write the status JSON here every `statusEveryMs` and at exit (the replay harness reads it). */
  readonly statusFile?: string | null;
  /**
   * How often the status file is rewritten (default 1000 ms). The bench reads sinks' progress from
   * it, and a second between snapshots is too coarse to time a 1M-line run by.
   */
  readonly statusEveryMs?: number;
  /** How long a graceful stop waits for sinks to write what they hold (default 30 s). */
  readonly drainTimeoutMs?: number;
  /** Feed settings beyond host, ports, symbols, family and depth (stale timeout, backoff, admin…). */
  readonly feed?: Omit<FeedOptionsInput, 'host' | 'ports' | 'symbols' | 'family' | 'depth'>;
  readonly runner?: RunnerSettings;
  /** Journal internals: the backpressure mark, and the file layer (tests hold its writes). */
  readonly journal?: JournalSettings;
  /** Build a sink instead of the registry (tests wrap the real JSONL sink to slow it down). */
  readonly createSink?: (name: SinkName, context: SinkContext) => Sink;
  readonly clock?: Clock;
  readonly logger?: Logger;
  /** Uniform in [0, 1): reconnect and retry jitter (default Math.random). */
  readonly random?: () => number;
}

export interface ResolvedCollectorOptions {
  readonly feed: FeedOptions;
  readonly sinks: readonly SinkName[];
  readonly endpoints: SinkEndpoints;
  readonly dataDir: string;
  readonly journalDir: string;
  readonly session: string | null;
  readonly flushMs: number;
  readonly rotateBytes: number;
  readonly maxJournalBytes: number | undefined;
  readonly monitor: MonitorEndpoint | null;
  readonly statusFile: string | null;
  readonly statusEveryMs: number;
  readonly drainTimeoutMs: number;
  readonly runner: RunnerSettings;
  readonly journal: JournalSettings;
  readonly createSink: ((name: SinkName, context: SinkContext) => Sink) | null;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly random: () => number;
}

export const COLLECTOR_DEFAULTS = {
  sinks: ['jsonl'] as readonly SinkName[],
  flushMs: 100,
  rotateMb: 256,
  drainTimeoutMs: 30_000,
  statusEveryMs: 1000,
  /**
   * Journal bytes not yet written above which the sockets are paused. Small on purpose: under a
   * flood every socket read is processed in one event-loop turn, and the journal's writes and
   * fdatasyncs only complete between turns; pausing early hands the loop back to the disk instead
   * of letting durability (and every sink behind it) fall seconds behind.
   */
  journalHighWaterBytes: 8 * MiB,
  /** See JournalSettings.groupCommit. */
  groupCommit: true,
} as const;

/**
 * The longest delay a Node timer holds: past it `setTimeout` fires after 1 ms (with a
 * TimeoutOverflowWarning), so a longer wait would silently become no wait at all.
 */
export const MAX_TIMER_MS = 2 ** 31 - 1;

function positive(value: number, name: string): number {
  if (!Number.isFinite(value) || value <= 0)
    throw usageError(`${name} must be a positive number, got ${String(value)}`);
  return value;
}

/** A delay that backs a timer: positive, and no longer than a timer can hold. */
function timerMs(value: number, name: string): number {
  positive(value, name);
  if (value > MAX_TIMER_MS)
    throw usageError(`${name} must be at most ${MAX_TIMER_MS} ms (about 24.8 days), got ${String(value)}`);
  return value;
}

export function resolveCollectorOptions(o: CollectorOptions): ResolvedCollectorOptions {
  if (!o.dataDir) throw usageError('a data directory is required', 'pass --data-dir DIR');
  if (!o.journalDir) throw usageError('a journal directory is required', 'pass --journal-dir DIR');
  const feed = resolveFeedOptions({
    ...o.feed,
    host: o.host,
    ports: o.ports,
    symbols: o.symbols,
    family: o.family,
    depth: o.depth,
  });
  const sinks = o.sinks ?? COLLECTOR_DEFAULTS.sinks;
  if (sinks.length === 0)
    throw usageError(`at least one sink is needed: accepted ${availableSinks().join(', ')}`);
  const endpoints = o.endpoints ?? {};
  // A caller that builds its own sinks (tests) gives them their endpoints itself.
  const missing = o.createSink ? [] : missingEndpoints(sinks, endpoints);
  if (missing.length > 0) throw usageError(`no endpoint for the ${missing.join(', ')} sink`);
  return {
    feed,
    sinks,
    endpoints,
    dataDir: resolve(o.dataDir),
    journalDir: resolve(o.journalDir),
    session: o.session ?? null,
    flushMs: timerMs(o.flushMs ?? COLLECTOR_DEFAULTS.flushMs, 'flush interval (--flush-ms)'),
    rotateBytes: Math.round(
      positive(o.rotateMb ?? COLLECTOR_DEFAULTS.rotateMb, 'segment size (--rotate-mb)') * MiB,
    ),
    maxJournalBytes:
      o.maxJournalMb === undefined ? undefined : Math.round(positive(o.maxJournalMb, 'journal limit') * MiB),
    monitor: o.monitor ?? null,
    statusFile: o.statusFile ?? null,
    statusEveryMs: timerMs(
      o.statusEveryMs ?? COLLECTOR_DEFAULTS.statusEveryMs,
      'status interval (--status-every-ms)',
    ),
    drainTimeoutMs: timerMs(o.drainTimeoutMs ?? COLLECTOR_DEFAULTS.drainTimeoutMs, 'drain timeout'),
    runner: o.runner ?? {},
    journal: {
      highWaterBytes: COLLECTOR_DEFAULTS.journalHighWaterBytes,
      groupCommit: COLLECTOR_DEFAULTS.groupCommit,
      ...o.journal,
    },
    createSink: o.createSink ?? null,
    clock: o.clock ?? systemClock,
    logger: o.logger ?? silentLogger,
    random: o.random ?? Math.random,
  };
}
