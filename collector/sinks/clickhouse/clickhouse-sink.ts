/**
 * The ClickHouse sink: each batch goes into one table per record kind (schema.ts) as RowBinary
 * INSERTs of at most `maxRowsPerInsert` rows, sent one after the other. `write` resolves once the
 * server acknowledged every insert of the batch (ClickHouse answers an INSERT after the part is
 * written).
 *
 * Idempotent by (session, seq): the tables are ReplacingMergeTree, so a batch sent again (after
 * a crash, or a retry of a batch whose first try did arrive) adds rows that merges and FINAL
 * collapse; the read-back counts them (`count() − count() FINAL`).
 *
 * The schema is created if missing (database and tables, IF NOT EXISTS) and existing tables are
 * checked column by column, so a table of another shape fails at `open` with a clear message
 * rather than at the first insert. A server that is down at `open` does not fail the collector:
 * the schema is made ready before the first write instead, which then retries like any write.
 */
import { PassThrough } from 'node:stream';
import { finished } from 'node:stream/promises';
import type { ClickHouseClient } from '@clickhouse/client';
import type { Clock } from '../../../common/clock.js';
import { L2hError } from '../../../common/errors.js';
import { type Logger, silentLogger } from '../../../common/logger.js';
import { RECORD_KINDS, type RecordEnvelope, type RecordKind } from '../../records/types.js';
import type { Sink } from '../sink.js';
import { SLICE_CHECK_EVERY, TimeSlice } from '../time-slice.js';
import { type ClickHouseEndpoint, clickhouseClient, parseClickHouseUrl } from './connection.js';
import { classifyClickHouseError, clickhouseCode, SCHEMA_GONE_CODES } from './errors.js';
import { RowBinaryWriter } from './row-binary.js';
import { encodeRows } from './rows.js';
import {
  type Column,
  createDatabaseSql,
  createTableSql,
  DEFAULT_DATABASE,
  DEFAULT_TABLES,
  insertSql,
  isIdentifier,
  schemaDifferences,
} from './schema.js';

export interface ClickHouseSinkOptions {
  /** `http[s]://[user[:password]@]host:port[/database]`: the HTTP interface. */
  readonly url: string;
  /** Database of the tables (default: the URL's path, else `l2h`). Created if missing. */
  readonly database?: string;
  /** Table names per kind (default l2_snapshots, l1_quotes, ticks, gaps). */
  readonly tables?: Partial<Record<RecordKind, string>>;
  /** Rows per INSERT at most (default 100,000); a bigger batch is split. */
  readonly maxRowsPerInsert?: number;
  /** Per request (default 30 s): a server that hangs fails the write, retriably, after this. */
  readonly requestTimeoutMs?: number;
  /** gzip the insert bodies (default false: on one machine it costs more CPU than it saves). */
  readonly compress?: boolean;
}

export interface ClickHouseSinkDeps {
  readonly logger?: Logger;
  readonly clock: Clock;
}

/**
 * Runner settings that suit ClickHouse: fewer, bigger inserts. Each insert makes a part to merge
 * later, and the server's CPU per row falls with the insert's size (ClickHouse 18.16 here: 3.4 µs
 * a row at 20k-row inserts, 2.5 at 100k; in the three-sink bench 7–8 µs a line at 20k, 4–6 at 100k).
 */
export const CLICKHOUSE_RUNNER_DEFAULTS = { batchSize: 100_000, batchMs: 500 } as const;

export interface ClickHouseSinkStats {
  readonly rowsWritten: number;
  readonly inserts: number;
  readonly bytesSent: number;
  readonly schemaReady: boolean;
  /** Tables written to, `db.table` per kind. */
  readonly tables: Readonly<Record<RecordKind, string>>;
}

export interface ResolvedClickHouseTarget {
  readonly endpoint: ClickHouseEndpoint;
  readonly database: string;
  readonly tables: Readonly<Record<RecordKind, string>>;
}

/** URL, database and table names checked, defaults filled in. Shared with the read-back. */
export function resolveClickHouseTarget(
  url: string,
  database?: string,
  tables?: Partial<Record<RecordKind, string>>,
): ResolvedClickHouseTarget {
  const endpoint = parseClickHouseUrl(url);
  const db = database ?? endpoint.database ?? DEFAULT_DATABASE;
  const names = { ...DEFAULT_TABLES, ...tables };
  for (const name of [db, ...Object.values(names)]) {
    if (!isIdentifier(name)) {
      throw new L2hError(`ClickHouse name ${JSON.stringify(name)} is not a plain identifier`, {
        code: 'BAD_USAGE',
        hint: 'database and table names are letters, digits and _ (not starting with a digit)',
      });
    }
  }
  return { endpoint, database: db, tables: names };
}

/** A RowBinary row start no table can read to the end: a string length of 127 and no bytes. */
const POISON_ROW = Buffer.from([0x7f]);

export class ClickHouseSink implements Sink {
  readonly name = 'clickhouse' as const;
  private readonly target: ResolvedClickHouseTarget;
  private readonly client: ClickHouseClient;
  private readonly logger: Logger;
  private readonly clock: Clock;
  private readonly maxRows: number;
  /**
   * Two writers, used in turn: an insert's body is a view of its writer's buffer (a copy of a
   * 100k-row body cost ~4 % of the collector's CPU). Safe because an insert settles only once the
   * server answered or @clickhouse/client gave the request up (on every rejection it aborts the
   * request, which destroys it), and the runner never calls `write` twice at once: a writer is
   * reused two inserts after its body was sent, when no request can still read it. Each keeps
   * the buffer its largest insert needed (up to ~64 MiB for 100k L2 rows of depth 10).
   */
  private readonly writers = [new RowBinaryWriter(1 << 20), new RowBinaryWriter(1 << 20)] as const;
  private turn = 0;
  private schemaReady = false;
  private closed = false;
  private rowsWritten = 0;
  private inserts = 0;
  private bytesSent = 0;

  constructor(options: ClickHouseSinkOptions, deps: ClickHouseSinkDeps) {
    this.target = resolveClickHouseTarget(options.url, options.database, options.tables);
    const maxRows = options.maxRowsPerInsert ?? 100_000;
    if (!Number.isInteger(maxRows) || maxRows < 1) {
      throw new L2hError(`maxRowsPerInsert must be a positive integer, got ${maxRows}`, {
        code: 'BAD_USAGE',
      });
    }
    this.maxRows = maxRows;
    this.logger = deps.logger ?? silentLogger;
    this.clock = deps.clock;
    this.client = clickhouseClient(this.target.endpoint, {
      requestTimeoutMs: options.requestTimeoutMs,
      compressRequests: options.compress,
    });
  }

  get stats(): ClickHouseSinkStats {
    return {
      rowsWritten: this.rowsWritten,
      inserts: this.inserts,
      bytesSent: this.bytesSent,
      schemaReady: this.schemaReady,
      tables: Object.fromEntries(
        RECORD_KINDS.map((k) => [k, `${this.target.database}.${this.target.tables[k]}`]),
      ) as Record<RecordKind, string>,
    };
  }

  async open(): Promise<void> {
    try {
      await this.ensureSchema();
    } catch (err) {
      if (!(err instanceof L2hError && err.retriable)) throw err;
      // An outage at start is an outage like any other: the first write retries it.
      this.logger.warn(
        { url: this.target.endpoint.redacted, err: err.message },
        'ClickHouse unavailable at open; the schema is created before the first write',
      );
    }
  }

  async write(batch: readonly RecordEnvelope[]): Promise<void> {
    if (this.closed) throw new L2hError('ClickHouse sink is closed', { code: 'INTERNAL' });
    if (batch.length === 0) return;
    if (!this.schemaReady) await this.ensureSchema();
    const byKind = new Map<RecordKind, RecordEnvelope[]>();
    for (const env of batch) {
      const list = byKind.get(env.kind);
      if (list === undefined) byKind.set(env.kind, [env]);
      else list.push(env);
    }
    const ver = Math.floor(this.clock.wallUs());
    for (const [kind, envs] of byKind) {
      for (let i = 0; i < envs.length; i += this.maxRows) {
        await this.insert(kind, envs.slice(i, i + this.maxRows), ver);
      }
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.client.close();
  }

  private async insert(kind: RecordKind, envs: readonly RecordEnvelope[], ver: number): Promise<void> {
    const writer = this.writers[this.turn];
    this.turn ^= 1;
    writer.reset();
    const table = this.target.tables[kind];
    // The body goes to the server slice by slice as it is encoded, not once encoded whole: the
    // server parses the first rows on its own core while this thread encodes the next, where it
    // used to wait for the whole encoding and then the thread waited for the server.
    // Encoding runs on the collector's one thread, a few µs a row: a 20k-row batch in one go held
    // the feed's socket reads for tens of milliseconds, so between time slices the event loop runs
    // (the runner writes one batch at a time, so nothing else touches the writer meanwhile).
    const body = new PassThrough();
    // The client pipes `body` into the request only once it has a socket; an error of ours before
    // that (a record no column holds) must not be an unhandled 'error' event. The request's own
    // outcome is `answer`.
    body.on('error', () => {});
    let answered = false;
    const answer = this.client
      .exec({ query: insertSql(this.target.database, table, kind), values: body })
      // The response body is empty for an INSERT, but it must be read for the socket to be reused.
      .then((result) => finished(result.stream.resume()))
      .finally(() => {
        answered = true;
      });
    answer.catch(() => {}); // awaited below; not an unhandled rejection while encoding
    let sent = 0;
    const send = (): void => {
      if (writer.length === sent) return;
      // A view, not a copy: the writer only appends, and is reused two inserts later, when this
      // request has settled (below), so the bytes stay as they are while the request reads them.
      body.write(writer.bytes().subarray(sent));
      sent = writer.length;
    };
    try {
      const slice = new TimeSlice(this.clock);
      for (let i = 0; i < envs.length && !answered; i += SLICE_CHECK_EVERY) {
        if (i > 0 && slice.due()) {
          send();
          await slice.pause();
          if (answered) break;
        }
        encodeRows(
          writer,
          kind,
          envs.length <= SLICE_CHECK_EVERY ? envs : envs.slice(i, i + SLICE_CHECK_EVERY),
          ver,
        );
      }
    } catch (err) {
      // A record no column can hold. The rows already sent must not be stored: cut short, the body
      // ends at a row boundary, and ClickHouse 18.16 stores the rows of a body that ends early
      // (measured: 4,864 of them). So the body ends with the start of a row that cannot be read
      // (a string length with no string: every table starts with one), which fails the whole
      // insert; then the record's own error stands.
      if (!answered) {
        body.write(POISON_ROW);
        body.end();
      } else body.destroy();
      await answer.catch(() => {});
      throw err;
    }
    // An answer before the body ended is the server refusing the insert (it answers an INSERT only
    // once it has read all of it).
    const early = answered;
    if (!early) {
      send();
      body.end();
    } else body.destroy();
    try {
      await answer;
      if (early) throw new Error('the server answered the insert before its body was sent');
    } catch (err) {
      const code = clickhouseCode(err);
      if (code !== null && SCHEMA_GONE_CODES.has(code)) this.schemaReady = false;
      throw classifyClickHouseError(err, {
        what: `insert ${envs.length} ${kind} rows`,
        url: this.target.endpoint.redacted,
        table: `${this.target.database}.${table}`,
      });
    }
    this.inserts++;
    this.rowsWritten += envs.length;
    this.bytesSent += sent;
  }

  private async ensureSchema(): Promise<void> {
    const { database, tables } = this.target;
    const url = this.target.endpoint.redacted;
    const run = async (query: string, what: string): Promise<void> => {
      try {
        await this.client.command({ query });
      } catch (err) {
        throw classifyClickHouseError(err, { what, url });
      }
    };
    await run(createDatabaseSql(database), `create database ${database}`);
    for (const kind of RECORD_KINDS) {
      await run(createTableSql(database, tables[kind], kind), `create table ${database}.${tables[kind]}`);
    }
    for (const kind of RECORD_KINDS) {
      const actual = await this.columnsOf(tables[kind]);
      const diff = schemaDifferences(kind, actual);
      if (diff.length > 0) {
        throw new L2hError(
          `ClickHouse table ${database}.${tables[kind]} does not have the ${kind} columns l2h writes: ${diff.join('; ')}`,
          {
            code: 'BAD_USAGE',
            context: { url, table: `${database}.${tables[kind]}` },
            hint: 'write to another database (the URL path or the database option), or drop the old table',
          },
        );
      }
    }
    this.schemaReady = true;
    this.logger.info({ url, database }, 'ClickHouse schema ready');
  }

  private async columnsOf(table: string): Promise<Column[]> {
    const { database } = this.target;
    try {
      const rs = await this.client.query({
        // Names were checked by isIdentifier, so inlining them is safe (18.16 has no query parameters).
        query: `SELECT name, type FROM system.columns WHERE database = '${database}' AND table = '${table}'`,
        format: 'JSONEachRow',
      });
      return (await rs.json<{ name: string; type: string }>()).map((r) => ({
        name: r.name,
        type: r.type as Column['type'],
      }));
    } catch (err) {
      throw classifyClickHouseError(err, {
        what: `read the columns of ${database}.${table}`,
        url: this.target.endpoint.redacted,
      });
    }
  }
}

export function createClickHouseSink(
  options: ClickHouseSinkOptions,
  deps: ClickHouseSinkDeps,
): ClickHouseSink {
  return new ClickHouseSink(options, deps);
}
