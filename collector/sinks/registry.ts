/**
 * The sinks `--sinks` can name: a factory per name. A new sink is one folder beside `jsonl/` and
 * one entry here; the CLI's validation and help text read this table.
 */
import type { Clock } from '../../common/clock.js';
import { usageError } from '../../common/errors.js';
import type { Logger } from '../../common/logger.js';
import { JsonlSink } from './jsonl/jsonl-sink.js';
import { SINK_NAMES, type Sink, type SinkName } from './sink.js';

/** What every sink factory gets: where to write, which session, and the shared services. */
export interface SinkContext {
  readonly session: string;
  /** `--data-dir`: where file sinks write. */
  readonly dataDir: string;
  readonly logger: Logger;
  readonly clock: Clock;
}

/** Runner settings a sink may want other than the defaults (bigger batches for a database). */
export interface SinkRunnerDefaults {
  readonly batchSize?: number;
  readonly batchMs?: number;
  readonly queueCapacity?: number;
}

export interface SinkFactory {
  readonly description: string;
  create(context: SinkContext): Sink;
  readonly runner?: SinkRunnerDefaults;
}

export const SINK_FACTORIES: Readonly<Partial<Record<SinkName, SinkFactory>>> = {
  jsonl: {
    description: 'one JSON record per line in <data-dir>/<SYMBOL>_<kind>_<YYYYMMDD>.jsonl',
    create: (c) =>
      new JsonlSink({ dataDir: c.dataDir, session: c.session, logger: c.logger.child({ sink: 'jsonl' }) }),
    // Big batches: a batch costs two rounds of file I/O whatever its size, and the queue must
    // hold about a journal flush interval of records at full feed rate without overflowing.
    runner: { batchSize: 20_000, queueCapacity: 200_000 },
  },
};

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
