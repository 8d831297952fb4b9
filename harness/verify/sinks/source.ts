import type { RecordKind } from '../../../collector/records/types.js';

/** One record as a sink holds it, parsed back into an object (null when it would not parse). */
export interface SinkRecord {
  readonly kind: RecordKind;
  readonly record: Readonly<Record<string, unknown>> | null;
  /** Where it is, for a reader of the evidence: `AAPL_l2_20250725.jsonl:17`, `iqfeed.l2/3@1200`. */
  readonly where: string;
  /** The stored text when it would not parse. */
  readonly raw?: string;
  /**
   * Why the record is not where the sink's layout says it belongs (a JSONL record in another
   * symbol's or another day's file); absent when it is, or when the sink has no such layout.
   */
  readonly misplaced?: string;
}

/** Reads everything one sink holds. Implementations per sink live beside this file. */
export interface SinkRecordSource {
  readonly name: string;
  /** How the source deduplicated before we saw it, e.g. "FINAL"; null when it did not. */
  readonly dedup: string | null;
  batches(): AsyncIterable<readonly SinkRecord[]>;
  /**
   * What sits where the sink's records are but is not the sink's own (a JSONL data directory's
   * `AAPL_l2_20250725.1.jsonl`): not read as records, since no reader of the sink would, but
   * counted, so that records put there are not silently ignored.
   */
  strays?(): Promise<readonly StrayFile[]>;
  /** Copies the sink delivered that it collapsed itself (ClickHouse rows merged by FINAL). */
  collapsedDuplicates?(): Promise<number>;
}

export interface StrayFile {
  readonly where: string;
  /** Non-empty lines in it. */
  readonly lines: number;
  readonly why: string;
}
