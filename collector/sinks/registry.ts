/**
 * The sinks `--sinks` can name: a factory per name. A new sink is one folder beside `jsonl/` and
 * one entry here; the CLI's validation and help text read this table.
 */
import type { Clock } from '../../common/clock.js';
import { usageError } from '../../common/errors.js';
import type { Logger } from '../../common/logger.js';
import { CLICKHOUSE_RUNNER_DEFAULTS, createClickHouseSink } from './clickhouse/clickhouse-sink.js';
import { JsonlSink } from './jsonl/jsonl-sink.js';
import { createKafkaSink, KAFKA_RUNNER_DEFAULTS, type KafkaClientName } from './kafka/kafka-sink.js';
import { createRedisSink } from './redis/index.js';
import { SINK_NAMES, type Sink, type SinkName } from './sink.js';

/**
 * Where the service sinks write. Given by flags or environment (collect.ts); a sink named in
 * `--sinks` without its endpoint is a usage error at start, not a failure later.
 */
export interface SinkEndpoints {
  readonly clickhouse?: { readonly url: string; readonly database?: string };
  readonly kafka?: {
    readonly brokers: readonly string[];
    readonly topicPrefix?: string;
    readonly client?: KafkaClientName;
  };
  readonly redis?: { readonly url: string; readonly keyPrefix?: string; readonly streamMaxLen?: number };
}

/** The flag and environment variable that give each service sink its endpoint. */
export const ENDPOINT_SOURCES: Readonly<Record<'clickhouse' | 'kafka' | 'redis', string>> = {
  clickhouse: '--clickhouse-url or CLICKHOUSE_URL',
  kafka: '--kafka-brokers or KAFKA_BROKERS',
  redis: '--redis-url or REDIS_URL',
};

function endpoint<K extends keyof SinkEndpoints>(c: SinkContext, name: K): NonNullable<SinkEndpoints[K]> {
  const e = c.endpoints[name];
  if (e === undefined)
    throw usageError(`the ${name} sink needs an endpoint`, `give ${ENDPOINT_SOURCES[name]}`);
  return e as NonNullable<SinkEndpoints[K]>;
}

/** What every sink factory gets: where to write, which session, and the shared services. */
export interface SinkContext {
  readonly session: string;
  /** `--data-dir`: where file sinks write. */
  readonly dataDir: string;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly endpoints: SinkEndpoints;
}

/** Runner settings a sink may want other than the defaults (bigger batches for a database). */
export interface SinkRunnerDefaults {
  readonly batchSize?: number;
  readonly batchMs?: number;
  readonly queueCapacity?: number;
  /** Bytes of records the queue holds (default: bounded by `queueCapacity` alone). */
  readonly queueBytes?: number;
}

export interface SinkFactory {
  readonly description: string;
  create(context: SinkContext): Sink;
  readonly runner?: SinkRunnerDefaults;
}

/**
 * The live queue of a sink that writes to a server (ClickHouse, Kafka): deep. At full replay
 * speed such a sink trails the feed by hundreds of thousands of records; serving them from memory
 * spares re-deriving every journal line on the collector's thread (~3.5 µs a line per sink
 * behind). Bounded in bytes of the records' JSONL lines (the sinks queue the same bytes, so two
 * sinks behind hold one copy) and in records: 1M records' places are ~50 MB of columns, and at
 * the mean record (~540 bytes) the two bounds meet. Past either the sink leaves live mode and
 * catches up from the journal, as ever. `--sink-queue-mb` sets the byte bound of every sink.
 */
export const SERVER_SINK_QUEUE = { queueCapacity: 1_000_000, queueBytes: 512 * 1024 * 1024 } as const;

export const SINK_FACTORIES: Readonly<Partial<Record<SinkName, SinkFactory>>> = {
  jsonl: {
    description: 'one JSON record per line in <data-dir>/<SYMBOL>_<kind>_<YYYYMMDD>.jsonl',
    create: (c) =>
      new JsonlSink({ dataDir: c.dataDir, session: c.session, logger: c.logger.child({ sink: 'jsonl' }) }),
    // Big batches: a batch costs one round of file I/O whatever its size. The queue holds what
    // the feed brings while a batch is written and synced (at full rate tens of thousands of
    // records); bounded in bytes too, as its records' lines are most of the collector's memory.
    runner: { batchSize: 20_000, queueCapacity: 200_000, queueBytes: 64 * 1024 * 1024 },
  },
  clickhouse: {
    description:
      'rows in ClickHouse tables l2_snapshots, l1_quotes, ticks, gaps (ReplacingMergeTree by session, seq)',
    create: (c) => {
      const e = endpoint(c, 'clickhouse');
      return createClickHouseSink(
        { url: e.url, database: e.database },
        { clock: c.clock, logger: c.logger.child({ sink: 'clickhouse' }) },
      );
    },
    runner: { ...CLICKHOUSE_RUNNER_DEFAULTS, ...SERVER_SINK_QUEUE },
  },
  kafka: {
    description: 'one message per record on <prefix>l2|l1|ticks|gaps, key = symbol, value = the JSONL line',
    create: (c) => {
      const e = endpoint(c, 'kafka');
      return createKafkaSink(
        { brokers: e.brokers, session: c.session, topicPrefix: e.topicPrefix, client: e.client },
        { logger: c.logger.child({ sink: 'kafka' }) },
      );
    },
    runner: { ...KAFKA_RUNNER_DEFAULTS, ...SERVER_SINK_QUEUE },
  },
  redis: {
    description: 'latest book, quote and trade per symbol plus bounded streams in Redis',
    create: (c) => {
      const e = endpoint(c, 'redis');
      return createRedisSink(
        { url: e.url, session: c.session, keyPrefix: e.keyPrefix, streamMaxLen: e.streamMaxLen },
        { logger: c.logger.child({ sink: 'redis' }), clock: c.clock },
      );
    },
    runner: { batchSize: 2000 },
  },
};

/** Names in `sinks` whose endpoint is missing, with where to give it. */
export function missingEndpoints(sinks: readonly SinkName[], endpoints: SinkEndpoints): string[] {
  return sinks
    .filter((n): n is 'clickhouse' | 'kafka' | 'redis' => n !== 'jsonl' && endpoints[n] === undefined)
    .map((n) => `${n} (${ENDPOINT_SOURCES[n]})`);
}

export function availableSinks(): SinkName[] {
  return SINK_NAMES.filter((n) => SINK_FACTORIES[n] !== undefined);
}

/** `--sinks jsonl,kafka` → checked names, in the order given, without repeats. */
export function parseSinkList(text: string): SinkName[] {
  const accepted = availableSinks();
  const out: SinkName[] = [];
  for (const raw of text.split(',')) {
    const name = raw.trim().toLowerCase();
    if (name === '') continue;
    const known = SINK_NAMES.find((n) => n === name);
    if (known === undefined || SINK_FACTORIES[known] === undefined) {
      const later = known !== undefined ? ` (${known} is not built into the collector yet)` : '';
      throw usageError(
        `unknown sink ${JSON.stringify(raw.trim())}${later}: accepted ${accepted.join(', ')}`,
        `e.g. --sinks ${accepted[0]}`,
      );
    }
    if (!out.includes(known)) out.push(known);
  }
  if (out.length === 0) throw usageError(`--sinks names no sink: accepted ${accepted.join(', ')}`);
  return out;
}

export function createSink(name: SinkName, context: SinkContext): Sink {
  const factory = SINK_FACTORIES[name];
  if (factory === undefined)
    throw usageError(`sink ${name} is not available: accepted ${availableSinks().join(', ')}`);
  return factory.create(context);
}
