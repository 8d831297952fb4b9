import type { RecordEnvelope } from '../records/types.js';

export type SinkName = 'jsonl' | 'clickhouse' | 'kafka' | 'redis';

export const SINK_NAMES: readonly SinkName[] = ['jsonl', 'clickhouse', 'kafka', 'redis'];

/**
 * A destination for records. A sink never rebuilds a book and never decides what to skip on
 * restart by itself: the runner (collector/sinks/runner.ts) feeds it records in `seq` order from
 * its checkpoint on, and advances the checkpoint only after `write` resolved.
 *
 * `write` resolves when the batch is durable in the sink (fsynced, acknowledged, committed).
 * The runner never calls it again before it settled: a sink may reuse its buffers between writes.
 * It rejects with an L2hError whose `retriable` says whether the runner should back off and try
 * the same batch again (service down) or give up (a programming error).
 *
 * Writes must be idempotent by (session, seq): the runner may hand a sink records it already
 * stored after a crash, and the sink must not store them twice (or, where it cannot help it,
 * the duplicates must be countable by the verifier, as with Kafka).
 */
export interface Sink {
  readonly name: SinkName;
  open(): Promise<void>;
  write(batch: readonly RecordEnvelope[]): Promise<void>;
  close(): Promise<void>;
}
