/**
 * The records every sink stores (CONTRACTS §2), plus the gap marker (issue 4: a disconnect or
 * resync is a value in the data). Field names are the seed's, snake_case, because other tools
 * read them.
 */
export type RecordKind = 'l2' | 'l1' | 'ticks' | 'gaps';

export const RECORD_KINDS: readonly RecordKind[] = ['l2', 'l1', 'ticks', 'gaps'];

export interface BookLevel {
  readonly price: number;
  readonly size: number;
  readonly level: number;
}

/** Identity shared by every record: `session` + `seq` (the journal line that produced it). */
export interface RecordIdentity {
  readonly session: string;
  readonly seq: number;
}

export interface L2Record extends RecordIdentity {
  readonly symbol: string;
  /** Event time from the feed message, US Eastern, `YYYY-MM-DDTHH:MM:SS.ffffff`. */
  readonly timestamp: string;
  readonly bids: readonly BookLevel[];
  readonly asks: readonly BookLevel[];
  readonly total_bid_size: number;
  readonly total_ask_size: number;
  /** null when a side is empty. */
  readonly spread: number | null;
  readonly mid_price: number | null;
}

export interface L1Record extends RecordIdentity {
  readonly symbol: string;
  readonly timestamp: string;
  readonly bid: number | null;
  readonly bid_size: number | null;
  readonly ask: number | null;
  readonly ask_size: number | null;
  readonly spread: number | null;
  readonly mid_price: number | null;
}

export interface TickRecord extends RecordIdentity {
  readonly symbol: string;
  readonly timestamp: string;
  readonly price: number;
  readonly size: number | null;
  /** Trade condition codes as sent (hex pairs), null when absent. */
  readonly conditions: string | null;
  readonly market_center: number | null;
  readonly total_volume: number | null;
  readonly tick_id: number | null;
}

export type GapReason = 'disconnect' | 'server-disconnected' | 'stale-feed' | 'restart';

/**
 * A span during which the feed for `symbol` may have missed data, closed by a resync. `seq` is
 * the journal line that closed the gap (the first line of the resync), so the marker is derived
 * from the journal like every other record and has a stable identity.
 */
export interface GapRecord extends RecordIdentity {
  readonly symbol: string;
  /** When the gap began (receive time, US Eastern, ISO without offset). */
  readonly timestamp: string;
  readonly gap_end: string;
  readonly duration_us: number;
  readonly reason: GapReason;
  readonly channel: 'L1' | 'L2';
}

export interface RecordByKind {
  l2: L2Record;
  l1: L1Record;
  ticks: TickRecord;
  gaps: GapRecord;
}

export type AnyRecord = L2Record | L1Record | TickRecord | GapRecord;

/**
 * A record on its way to the sinks: serialized once, so every sink stores the same bytes
 * (the JSONL line is the Kafka value is the ClickHouse row's source).
 */
export interface RecordEnvelope<K extends RecordKind = RecordKind> {
  readonly kind: K;
  readonly symbol: string;
  readonly seq: number;
  /** `YYYYMMDD` of the record's timestamp: picks the JSONL file and the day partition. */
  readonly day: string;
  /** The record as an object: parsed from its JSON on each read (nothing is kept). */
  readonly record: RecordByKind[K];
  /** The record as one line of JSON, without a newline: decoded from its bytes on each read. */
  readonly json: string;
  /**
   * The record's JSONL line (its JSON as UTF-8, then `\n`) where the deriver wrote it:
   * `lineBytes[lineStart, lineEnd)`. Null for an envelope made from a JSON string.
   */
  readonly lineBytes: Buffer | null;
  readonly lineStart: number;
  readonly lineEnd: number;
}
