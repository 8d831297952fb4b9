import type { ClickHouseClient } from '@clickhouse/client';
import { RECORD_KINDS, type RecordKind } from '../../../collector/records/types.js';
import { resolveClickHouseTarget } from '../../../collector/sinks/clickhouse/clickhouse-sink.js';
import { clickhouseClient } from '../../../collector/sinks/clickhouse/connection.js';
import { classifyClickHouseError } from '../../../collector/sinks/clickhouse/errors.js';
import { qualified } from '../../../collector/sinks/clickhouse/schema.js';
import type { SinkRecord, SinkRecordSource } from './source.js';

export interface ClickHouseSourceOptions {
  readonly url: string;
  /** As the sink was given (default: the URL's path, else `l2h`). */
  readonly database?: string;
  readonly tables?: Partial<Record<RecordKind, string>>;
  /** Read only this session's rows (a database shared by several runs); default: every row. */
  readonly session?: string;
  readonly requestTimeoutMs?: number;
  /** Records per yielded batch (default 2048). */
  readonly batchSize?: number;
}

type Row = Readonly<Record<string, unknown>>;

/**
 * Turns one row back into the record it was written from, field by field in CONTRACTS §2 order.
 * This is deliberately written apart from the sink's encoder (collector/sinks/clickhouse/rows.ts):
 * a mistake on either side shows up as a mismatch instead of cancelling out. Book levels come
 * back from the parallel arrays, numbered 1..n by position.
 */
const REBUILD: Readonly<
  Record<RecordKind, { readonly columns: readonly string[]; rebuild(row: Row): Row | null }>
> = {
  l2: {
    columns: [
      'symbol',
      'timestamp',
      'bid_prices',
      'bid_sizes',
      'ask_prices',
      'ask_sizes',
      'total_bid_size',
      'total_ask_size',
      'spread',
      'mid_price',
      'session',
      'seq',
    ],
    rebuild(row) {
      const bids = levels(row['bid_prices'], row['bid_sizes']);
      const asks = levels(row['ask_prices'], row['ask_sizes']);
      if (bids === null || asks === null) return null;
      return {
        symbol: row['symbol'],
        timestamp: row['timestamp'],
        bids,
        asks,
        total_bid_size: row['total_bid_size'],
        total_ask_size: row['total_ask_size'],
        spread: row['spread'],
        mid_price: row['mid_price'],
        session: row['session'],
        seq: row['seq'],
      };
    },
  },
  l1: {
    columns: [
      'symbol',
      'timestamp',
      'bid',
      'bid_size',
      'ask',
      'ask_size',
      'spread',
      'mid_price',
      'session',
      'seq',
    ],
    rebuild: (row) => pick(row, REBUILD.l1.columns),
  },
  ticks: {
    columns: [
      'symbol',
      'timestamp',
      'price',
      'size',
      'conditions',
      'market_center',
      'total_volume',
      'tick_id',
      'session',
      'seq',
    ],
    rebuild: (row) => pick(row, REBUILD.ticks.columns),
  },
  gaps: {
    columns: ['symbol', 'timestamp', 'gap_end', 'duration_us', 'reason', 'channel', 'session', 'seq'],
    rebuild: (row) => pick(row, REBUILD.gaps.columns),
  },
};

function pick(row: Row, columns: readonly string[]): Row {
  const out: Record<string, unknown> = {};
  for (const c of columns) out[c] = row[c];
  return out;
}

function levels(prices: unknown, sizes: unknown): { price: unknown; size: unknown; level: number }[] | null {
  if (!Array.isArray(prices) || !Array.isArray(sizes) || prices.length !== sizes.length) return null;
  return prices.map((price: unknown, i) => ({ price, size: sizes[i] as unknown, level: i + 1 }));
}

/** The stream, with a failure mid-way (the server went away) reported like any other. */
async function* guarded<T>(stream: AsyncIterable<T>, wrap: (err: unknown) => Error): AsyncGenerator<T> {
  const it = stream[Symbol.asyncIterator]();
  for (;;) {
    let next: IteratorResult<T>;
    try {
      next = await it.next();
    } catch (err) {
      throw wrap(err);
    }
    if (next.done) return;
    yield next.value;
  }
}

/** A ClickHouse string literal: the session text goes into SQL (18.16 has no query parameters). */
function sqlString(text: string): string {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/**
 * What the ClickHouse sink holds, read back for verification: per table `SELECT … FINAL ORDER BY
 * symbol, seq`, streamed, each row rebuilt into its record. FINAL collapses the copies that
 * retries and restarts delivered (ReplacingMergeTree); `collapsedDuplicates` counts them as
 * `count() − count() FINAL`. That count is a lower bound: a background merge that already
 * collapsed copies leaves nothing to count.
 *
 * Numbers: Int64 columns are read unquoted (`output_format_json_quote_64bit_integers=0`) and
 * Float64 arrive in the server's shortest round-trip form, so `JSON.parse` gives the very numbers
 * the record held (the sink sends binary doubles, see collector/sinks/clickhouse/row-binary.ts).
 */
export function clickhouseSource(options: ClickHouseSourceOptions): SinkRecordSource {
  const target = resolveClickHouseTarget(options.url, options.database, options.tables);
  const batchSize = options.batchSize ?? 2048;
  const where = options.session === undefined ? '' : ` WHERE session = ${sqlString(options.session)}`;
  const client = (): ClickHouseClient =>
    clickhouseClient(target.endpoint, { requestTimeoutMs: options.requestTimeoutMs ?? 120_000 });
  const fail = (err: unknown, what: string) =>
    classifyClickHouseError(err, { what, url: target.endpoint.redacted });

  /** The kinds whose table exists: a table never created holds nothing (all its records are lost). */
  async function existing(ch: ClickHouseClient): Promise<RecordKind[]> {
    try {
      const rs = await ch.query({
        query: `SELECT name FROM system.tables WHERE database = ${sqlString(target.database)}`,
        format: 'JSONEachRow',
      });
      const names = new Set((await rs.json<{ name: string }>()).map((r) => r.name));
      return RECORD_KINDS.filter((k) => names.has(target.tables[k]));
    } catch (err) {
      throw fail(err, `list the tables of ${target.database}`);
    }
  }

  async function count(ch: ClickHouseClient, table: string, final: boolean): Promise<number> {
    const rs = await ch.query({
      query: `SELECT count() AS n FROM ${table}${final ? ' FINAL' : ''}${where}`,
      format: 'JSONEachRow',
      clickhouse_settings: { output_format_json_quote_64bit_integers: 0 },
    });
    const rows = await rs.json<{ n: number }>();
    return Number(rows[0]?.n ?? 0);
  }

  return {
    name: 'clickhouse',
    dedup: 'FINAL',
    async *batches() {
      const ch = client();
      try {
        for (const kind of await existing(ch)) {
          const { columns, rebuild } = REBUILD[kind];
          const table = qualified(target.database, target.tables[kind]);
          const label = `${target.database}.${target.tables[kind]}`;
          let stream: AsyncIterable<{ readonly text: string }[]>;
          try {
            const rs = await ch.query({
              query: `SELECT ${columns.map((c) => `\`${c}\``).join(', ')} FROM ${table} FINAL${where} ORDER BY symbol, seq`,
              format: 'JSONEachRow',
              clickhouse_settings: { output_format_json_quote_64bit_integers: 0 },
            });
            stream = rs.stream() as AsyncIterable<{ readonly text: string }[]>;
          } catch (err) {
            throw fail(err, `read ${label}`);
          }
          let batch: SinkRecord[] = [];
          for await (const rows of guarded(stream, (err) => fail(err, `read ${label}`))) {
            for (const row of rows) {
              let record: Row | null = null;
              let parsed: unknown = null;
              try {
                parsed = JSON.parse(row.text);
              } catch {
                parsed = null;
              }
              if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed))
                record = rebuild(parsed as Row);
              const seq = record?.['seq'];
              const at = `${label}/${String(record?.['symbol'] ?? '?')}#${typeof seq === 'number' ? seq : '?'}`;
              batch.push(
                record === null
                  ? { kind, record, where: at, raw: row.text.slice(0, 300) }
                  : { kind, record, where: at },
              );
            }
            if (batch.length >= batchSize) {
              yield batch;
              batch = [];
            }
          }
          if (batch.length > 0) yield batch;
        }
      } finally {
        await ch.close();
      }
    },
    async collapsedDuplicates() {
      const ch = client();
      try {
        let collapsed = 0;
        for (const kind of await existing(ch)) {
          const table = qualified(target.database, target.tables[kind]);
          try {
            collapsed += (await count(ch, table, false)) - (await count(ch, table, true));
          } catch (err) {
            throw fail(err, `count the rows of ${target.database}.${target.tables[kind]}`);
          }
        }
        return collapsed;
      } finally {
        await ch.close();
      }
    },
  };
}
