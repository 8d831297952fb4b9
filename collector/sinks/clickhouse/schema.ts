/**
 * The ClickHouse tables of the four record kinds, as data: one column list per kind drives the
 * DDL, the RowBinary encoder (rows.ts) and the read-back (harness/verify/sinks/clickhouse-source.ts).
 *
 * One schema for ClickHouse 18.16 (Debian's) and current releases (SERVICES.md §1):
 * - Columns are named after the record's fields, in the record's order. Book levels are parallel
 *   arrays `bid_prices`/`bid_sizes`, `ask_prices`/`ask_sizes`; the level number is the array
 *   position (1..n), because the records number their levels 1..n without holes (the encoder
 *   refuses a record that does not).
 * - `timestamp String` keeps the record's text exactly (µs and all, no time zone conversion), so a
 *   row turns back into the identical record. Beside it `ts_us Int64`: that same wall-clock time
 *   (US Eastern, as the feed reports it) read as if it were UTC, in µs since 1970 — exact,
 *   sortable and free of DST ambiguity; `toDateTime(intDiv(ts_us, 1000000), 'UTC')` shows the
 *   Eastern wall clock. There is no DateTime64 on 18.16.
 * - `day Date` (the record's day, from its timestamp) partitions by month.
 * - `ReplacingMergeTree(ver)`: rows with the same sorting key collapse to one (the highest `ver`,
 *   the insert time in µs) at merges and under FINAL. That is how a write is idempotent by
 *   (session, seq): 18.16 has no insert deduplication on non-replicated tables.
 * - ORDER BY (symbol, session, seq): (session, seq) identifies a record within a kind, and a seq
 *   produces records of one symbol only, so adding `symbol` in front keeps the same identity while
 *   letting per-symbol queries use the primary index.
 * - No LowCardinality (18.16 needs an experimental setting in the server profile), no CODEC, no
 *   TTL, no DEFAULT expressions (18.16 ignores them for omitted input fields): every column is sent.
 */
import type { RecordKind } from '../../records/types.js';

export type ColumnType =
  | 'String'
  | 'UInt64'
  | 'Int64'
  | 'Float64'
  | 'Date'
  | 'Nullable(String)'
  | 'Nullable(Int64)'
  | 'Nullable(Float64)'
  | 'Array(Float64)'
  | 'Array(Int64)';

export interface Column {
  readonly name: string;
  readonly type: ColumnType;
}

const c = (name: string, type: ColumnType): Column => ({ name, type });

/** Identity and bookkeeping columns every table ends with. */
const TAIL: readonly Column[] = [
  c('session', 'String'),
  c('seq', 'UInt64'),
  c('ts_us', 'Int64'),
  c('day', 'Date'),
  c('ver', 'UInt64'),
];

export const COLUMNS: Readonly<Record<RecordKind, readonly Column[]>> = {
  l2: [
    c('symbol', 'String'),
    c('timestamp', 'String'),
    c('bid_prices', 'Array(Float64)'),
    c('bid_sizes', 'Array(Int64)'),
    c('ask_prices', 'Array(Float64)'),
    c('ask_sizes', 'Array(Int64)'),
    c('total_bid_size', 'Int64'),
    c('total_ask_size', 'Int64'),
    c('spread', 'Nullable(Float64)'),
    c('mid_price', 'Nullable(Float64)'),
    ...TAIL,
  ],
  l1: [
    c('symbol', 'String'),
    c('timestamp', 'String'),
    c('bid', 'Nullable(Float64)'),
    c('bid_size', 'Nullable(Int64)'),
    c('ask', 'Nullable(Float64)'),
    c('ask_size', 'Nullable(Int64)'),
    c('spread', 'Nullable(Float64)'),
    c('mid_price', 'Nullable(Float64)'),
    ...TAIL,
  ],
  ticks: [
    c('symbol', 'String'),
    c('timestamp', 'String'),
    c('price', 'Float64'),
    c('size', 'Nullable(Int64)'),
    c('conditions', 'Nullable(String)'),
    c('market_center', 'Nullable(Int64)'),
    c('total_volume', 'Nullable(Int64)'),
    c('tick_id', 'Nullable(Int64)'),
    ...TAIL,
  ],
  gaps: [
    c('symbol', 'String'),
    c('timestamp', 'String'),
    c('gap_end', 'String'),
    c('duration_us', 'Int64'),
    c('reason', 'String'),
    c('channel', 'String'),
    ...TAIL,
  ],
};

/** CONTRACTS §2 names, plus `gaps` for the gap markers. */
export const DEFAULT_TABLES: Readonly<Record<RecordKind, string>> = {
  l2: 'l2_snapshots',
  l1: 'l1_quotes',
  ticks: 'ticks',
  gaps: 'gaps',
};

export const DEFAULT_DATABASE = 'l2h';

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;

/** Database and table names go into SQL text (18.16 has no query parameters), so only plain identifiers. */
export function isIdentifier(name: string): boolean {
  return IDENTIFIER.test(name);
}

/** `db`.`table`; both already checked with `isIdentifier`. */
export function qualified(database: string, table: string): string {
  return `\`${database}\`.\`${table}\``;
}

export function createDatabaseSql(database: string): string {
  return `CREATE DATABASE IF NOT EXISTS \`${database}\``;
}

export function createTableSql(database: string, table: string, kind: RecordKind): string {
  const cols = COLUMNS[kind].map((col) => `  \`${col.name}\` ${col.type}`).join(',\n');
  return (
    `CREATE TABLE IF NOT EXISTS ${qualified(database, table)}\n(\n${cols}\n)\n` +
    'ENGINE = ReplacingMergeTree(ver)\nPARTITION BY toYYYYMM(day)\nORDER BY (symbol, session, seq)'
  );
}

export function insertSql(database: string, table: string, kind: RecordKind): string {
  const names = COLUMNS[kind].map((col) => `\`${col.name}\``).join(', ');
  return `INSERT INTO ${qualified(database, table)} (${names}) FORMAT RowBinary`;
}

/** The column list a table must have for this sink to write it: names and types, in order. */
export function expectedColumns(kind: RecordKind): readonly Column[] {
  return COLUMNS[kind];
}

/**
 * Columns a table has that differ from what the sink writes, as readable lines; empty when it
 * matches. `actual` comes from system.columns (name, type) in table order. 18.16 and current
 * servers print these types the same way.
 */
export function schemaDifferences(kind: RecordKind, actual: readonly Column[]): string[] {
  const out: string[] = [];
  const have = new Map(actual.map((col) => [col.name, col.type]));
  for (const col of COLUMNS[kind]) {
    const type = have.get(col.name);
    if (type === undefined) out.push(`missing column ${col.name} ${col.type}`);
    else if (type !== col.type) out.push(`column ${col.name} is ${type}, expected ${col.type}`);
  }
  return out;
}

const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\.(\d{6})$/;

/**
 * `2012-06-21T09:30:00.004241` → µs since 1970 with the wall-clock digits read as UTC; null when
 * the text is not a record timestamp.
 */
export function timestampUs(text: string): number | null {
  const m = TIMESTAMP.exec(text);
  if (m === null) return null;
  const ms = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!);
  return ms * 1000 + +m[7]!;
}

/** `YYYYMMDD` → days since 1970-01-01 (a ClickHouse Date); null when it is not such a day. */
export function dayNumber(day: string): number | null {
  if (!/^\d{8}$/.test(day)) return null;
  const ms = Date.UTC(+day.slice(0, 4), +day.slice(4, 6) - 1, +day.slice(6, 8));
  const n = ms / 86_400_000;
  // A Date is a UInt16: 1970-01-01 … 2149-06-06.
  return Number.isInteger(n) && n >= 0 && n <= 65_535 ? n : null;
}
