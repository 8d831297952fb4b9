import { describe, expect, it } from 'vitest';
import { Envelope } from '../../../../collector/records/json.js';
import { parseClickHouseUrl } from '../../../../collector/sinks/clickhouse/connection.js';
import { classifyClickHouseError, clickhouseCode } from '../../../../collector/sinks/clickhouse/errors.js';
import { RowBinaryWriter } from '../../../../collector/sinks/clickhouse/row-binary.js';
import { encodeRows } from '../../../../collector/sinks/clickhouse/rows.js';
import {
  COLUMNS,
  createTableSql,
  dayNumber,
  schemaDifferences,
  timestampUs,
} from '../../../../collector/sinks/clickhouse/schema.js';

describe('ClickHouse schema', () => {
  it('reads a record timestamp as wall-clock µs, and a YYYYMMDD day as a Date number', () => {
    expect(timestampUs('2012-06-21T09:30:00.004241')).toBe(Date.UTC(2012, 5, 21, 9, 30) * 1000 + 4241);
    expect(timestampUs('1970-01-01T00:00:00.000001')).toBe(1);
    expect(timestampUs('2012-06-21 09:30:00.004241')).toBeNull();
    expect(timestampUs('2012-06-21T09:30:00.0042')).toBeNull();
    expect(dayNumber('19700102')).toBe(1);
    expect(dayNumber('20120621')).toBe(15512);
    expect(dayNumber('2012062')).toBeNull();
    expect(dayNumber('19691231')).toBeNull();
  });

  it('uses only DDL that ClickHouse 18.16 accepts: no DateTime64, LowCardinality, CODEC, TTL or DEFAULT', () => {
    for (const kind of ['l2', 'l1', 'ticks', 'gaps'] as const) {
      const sql = createTableSql('db', 't', kind);
      expect(sql).toContain('ENGINE = ReplacingMergeTree(ver)');
      expect(sql).toContain('ORDER BY (symbol, session, seq)');
      expect(sql).not.toMatch(/DateTime64|LowCardinality|CODEC|TTL|DEFAULT|Map\(|Bool/);
      // Sorting-key columns cannot be Nullable (on either version).
      for (const key of ['symbol', 'session', 'seq']) {
        expect(COLUMNS[kind].find((c) => c.name === key)?.type).not.toMatch(/Nullable/);
      }
    }
  });

  it('names what a table lacks or holds in another type', () => {
    const actual = COLUMNS.ticks
      .filter((c) => c.name !== 'price')
      .map((c) => (c.name === 'size' ? { ...c, type: 'Int64' as const } : c));
    expect(schemaDifferences('ticks', actual)).toEqual([
      'missing column price Float64',
      'column size is Int64, expected Nullable(Int64)',
    ]);
    expect(schemaDifferences('ticks', COLUMNS.ticks)).toEqual([]);
  });
});

describe('RowBinary', () => {
  it('writes LEB128 lengths, little-endian numbers and null flags', () => {
    const w = new RowBinaryWriter(4);
    w.varUInt(300);
    w.string('é');
    w.nullFlag(true);
    w.int64(-2);
    w.float64(1.39);
    expect(w.bytes().subarray(0, 6)).toEqual(Buffer.from([0xac, 0x02, 0x02, 0xc3, 0xa9, 0x01]));
    expect(w.bytes().readBigInt64LE(6)).toBe(-2n);
    expect(w.bytes().readDoubleLE(14)).toBe(1.39);
  });

  it('refuses book levels that are not numbered 1..n, naming the record', () => {
    const json =
      '{"symbol":"A","timestamp":"2012-06-21T09:30:00.000000","bids":[{"price":1,"size":1,"level":2}],"asks":[],' +
      '"total_bid_size":1,"total_ask_size":0,"spread":null,"mid_price":null,"session":"s","seq":3}';
    expect(() =>
      encodeRows(new RowBinaryWriter(), 'l2', [new Envelope('l2', 'A', 3, '20120621', json)], 1),
    ).toThrow(
      expect.objectContaining({
        retriable: false,
        context: expect.objectContaining({ seq: 3, column: 'bid_prices' }),
      }),
    );
  });
});

describe('ClickHouse errors and URLs', () => {
  it('reads the code of an 18.16 exception, which lacks the (TYPE) suffix', () => {
    const e = new Error(
      "Code: 60, e.displayText() = DB::Exception: Table l2h.ticks doesn't exist., e.what() = DB::Exception",
    );
    expect(clickhouseCode(e)).toBe(60);
    expect(classifyClickHouseError(e, { what: 'insert', url: 'http://h:1' })).toMatchObject({
      retriable: true,
    });
    const syntax = new Error('Code: 62, e.displayText() = DB::Exception: Syntax error');
    expect(classifyClickHouseError(syntax, { what: 'insert', url: 'http://h:1' })).toMatchObject({
      retriable: false,
    });
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
    expect(classifyClickHouseError(refused, { what: 'insert', url: 'http://h:1' })).toMatchObject({
      retriable: true,
      code: 'SERVICE_UNAVAILABLE',
    });
    expect(
      classifyClickHouseError(new TypeError('x is undefined'), { what: 'insert', url: 'http://h:1' }),
    ).toMatchObject({
      retriable: false,
    });
  });

  it('takes credentials and the database from the URL, and never prints the password', () => {
    const e = parseClickHouseUrl('http://w%40x:p%3Ass@127.0.0.1:8123/marketdata');
    expect(e).toMatchObject({
      origin: 'http://127.0.0.1:8123',
      username: 'w@x',
      password: 'p:ss',
      database: 'marketdata',
    });
    expect(e.redacted).not.toContain('p%3Ass');
    expect(parseClickHouseUrl('http://127.0.0.1:8123').database).toBeNull();
    expect(() => parseClickHouseUrl('tcp://h:9000')).toThrow(/http/);
    expect(() => parseClickHouseUrl('http://h:8123/a-b')).toThrow(/database/);
  });
});

describe('RowBinary 64-bit integers', () => {
  it('writes the same bytes as BigInt for the whole safe range, negative included', () => {
    const values = [
      0,
      1,
      -1,
      2 ** 31,
      -(2 ** 31) - 1,
      2 ** 32,
      -(2 ** 32),
      2 ** 52 + 7,
      Number.MAX_SAFE_INTEGER,
      Number.MIN_SAFE_INTEGER,
    ];
    for (const v of values) {
      const w = new RowBinaryWriter(1);
      w.int64(v);
      expect(w.bytes().readBigInt64LE(0), String(v)).toBe(BigInt(v));
      if (v >= 0) {
        w.reset();
        w.uint64(v);
        expect(w.bytes().readBigUInt64LE(0), String(v)).toBe(BigInt(v));
      }
    }
  });
});
