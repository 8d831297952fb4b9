/**
 * Records → RowBinary rows in the column order of schema.ts. Every value is checked against its
 * column before it is written: a record the table cannot hold exactly (a fractional size, levels
 * not numbered 1..n, a malformed timestamp) is refused with an error naming the record and the
 * column, never stored as something else.
 */
import { L2hError } from '../../../common/errors.js';
import type {
  BookLevel,
  GapRecord,
  L1Record,
  L2Record,
  RecordEnvelope,
  RecordKind,
  TickRecord,
} from '../../records/types.js';
import type { RowBinaryWriter } from './row-binary.js';
import { encodeRowFromBytes } from './rows-from-bytes.js';
import { COLUMNS, type ColumnType, dayNumber, timestampUs } from './schema.js';

type Value = string | number | null | readonly number[];

class Unstorable extends Error {
  constructor(
    readonly column: string,
    why: string,
  ) {
    super(why);
  }
}

function levelArrays(
  levels: readonly BookLevel[],
  side: 'bid' | 'ask',
): { prices: number[]; sizes: number[] } {
  const prices: number[] = [];
  const sizes: number[] = [];
  for (let i = 0; i < levels.length; i++) {
    const l = levels[i]!;
    if (l.level !== i + 1) {
      throw new Unstorable(
        `${side}_prices`,
        `level ${i + 1} is numbered ${String(l.level)}: levels must run 1..n`,
      );
    }
    prices.push(l.price);
    sizes.push(l.size);
  }
  return { prices, sizes };
}

/** The values of the kind-specific columns, in schema order (the tail is added by `encodeRows`). */
function fieldValues(kind: RecordKind, record: unknown): Value[] {
  switch (kind) {
    case 'l2': {
      const r = record as L2Record;
      const bids = levelArrays(r.bids, 'bid');
      const asks = levelArrays(r.asks, 'ask');
      return [
        r.symbol,
        r.timestamp,
        bids.prices,
        bids.sizes,
        asks.prices,
        asks.sizes,
        r.total_bid_size,
        r.total_ask_size,
        r.spread,
        r.mid_price,
      ];
    }
    case 'l1': {
      const r = record as L1Record;
      return [r.symbol, r.timestamp, r.bid, r.bid_size, r.ask, r.ask_size, r.spread, r.mid_price];
    }
    case 'ticks': {
      const r = record as TickRecord;
      return [
        r.symbol,
        r.timestamp,
        r.price,
        r.size,
        r.conditions,
        r.market_center,
        r.total_volume,
        r.tick_id,
      ];
    }
    case 'gaps': {
      const r = record as GapRecord;
      return [r.symbol, r.timestamp, r.gap_end, r.duration_us, r.reason, r.channel];
    }
  }
}

function checkInt(column: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) {
    throw new Unstorable(column, `${JSON.stringify(v)} is not an integer (column is Int64)`);
  }
  return v;
}

function checkFloat(column: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    throw new Unstorable(column, `${JSON.stringify(v)} is not a finite number`);
  }
  return v;
}

function checkString(column: string, v: unknown): string {
  if (typeof v !== 'string') throw new Unstorable(column, `${JSON.stringify(v)} is not a string`);
  return v;
}

function writeValue(w: RowBinaryWriter, column: string, type: ColumnType, v: unknown): void {
  switch (type) {
    case 'String':
      w.string(checkString(column, v));
      return;
    case 'Int64':
      w.int64(checkInt(column, v));
      return;
    case 'UInt64': {
      const n = checkInt(column, v);
      if (n < 0) throw new Unstorable(column, `${n} is negative (column is UInt64)`);
      w.uint64(n);
      return;
    }
    case 'Float64':
      w.float64(checkFloat(column, v));
      return;
    case 'Date':
      w.uint16(checkInt(column, v));
      return;
    case 'Nullable(String)':
      w.nullFlag(v === null);
      if (v !== null) w.string(checkString(column, v));
      return;
    case 'Nullable(Int64)':
      w.nullFlag(v === null);
      if (v !== null) w.int64(checkInt(column, v));
      return;
    case 'Nullable(Float64)':
      w.nullFlag(v === null);
      if (v !== null) w.float64(checkFloat(column, v));
      return;
    case 'Array(Float64)':
    case 'Array(Int64)': {
      const arr = v as readonly number[];
      w.varUInt(arr.length);
      for (const x of arr) {
        if (type === 'Array(Int64)') w.int64(checkInt(column, x));
        else w.float64(checkFloat(column, x));
      }
      return;
    }
  }
}

/**
 * One envelope's row through its record object (`env.record`): the reference encoding, and the
 * path of every record the byte scanner (rows-from-bytes.ts) does not take.
 */
function encodeObjectRow(w: RowBinaryWriter, kind: RecordKind, env: RecordEnvelope, ver: number): void {
  const columns = COLUMNS[kind];
  try {
    const record = env.record as unknown as { session: unknown; seq: unknown; timestamp: unknown };
    const tsUs = timestampUs(typeof record.timestamp === 'string' ? record.timestamp : '');
    if (tsUs === null)
      throw new Unstorable(
        'ts_us',
        `timestamp ${JSON.stringify(record.timestamp)} is not YYYY-MM-DDTHH:MM:SS.ffffff`,
      );
    const day = dayNumber(env.day);
    if (day === null)
      throw new Unstorable(
        'day',
        `day ${JSON.stringify(env.day)} is not a YYYYMMDD date ClickHouse can hold`,
      );
    const values: unknown[] = [...fieldValues(kind, record), record.session, record.seq, tsUs, day, ver];
    for (let i = 0; i < columns.length; i++) writeValue(w, columns[i]!.name, columns[i]!.type, values[i]);
  } catch (err) {
    if (!(err instanceof Unstorable)) throw err;
    throw new L2hError(`a ${kind} record cannot be stored in ClickHouse: ${err.message}`, {
      code: 'INTERNAL',
      context: { kind, symbol: env.symbol, seq: env.seq, column: err.column },
    });
  }
}

/** `encodeRows` through record objects only: the reference the byte scanner is tested against. */
export function encodeRowsFromObjects(
  w: RowBinaryWriter,
  kind: RecordKind,
  envelopes: readonly RecordEnvelope[],
  ver: number,
): void {
  for (const env of envelopes) encodeObjectRow(w, kind, env, ver);
}

/**
 * Append one RowBinary row per envelope (all of `kind`) to `w`. `ver` is the version every row of
 * this insert carries. Throws a non-retriable L2hError naming the record that cannot be stored;
 * nothing is inserted then, because the caller sends nothing it could not encode.
 *
 * Each row is read from the record's JSONL bytes when the scanner can do so exactly, else (it
 * wrote nothing then) from the record object, which also raises the error of a refused record.
 */
export function encodeRows(
  w: RowBinaryWriter,
  kind: RecordKind,
  envelopes: readonly RecordEnvelope[],
  ver: number,
): void {
  for (const env of envelopes) {
    if (!encodeRowFromBytes(w, kind, env, ver)) encodeObjectRow(w, kind, env, ver);
  }
}
