import { randomUUID } from 'node:crypto';
import { createClient } from '@clickhouse/client';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { Envelope } from '../../../../collector/records/json.js';
import type { RecordEnvelope } from '../../../../collector/records/types.js';
import { ClickHouseSink } from '../../../../collector/sinks/clickhouse/clickhouse-sink.js';
import { systemClock } from '../../../../common/clock.js';
import { L2hError } from '../../../../common/errors.js';
import { silentLogger } from '../../../../common/logger.js';
import { clickhouseSource } from '../../../../harness/verify/sinks/clickhouse-source.js';
import type { SinkRecord } from '../../../../harness/verify/sinks/source.js';
import { sampleEnvelopes } from './sample-records.js';

const services = inject('services');
const url = services.clickhouse.url;

/** A database of our own per test: the shared server is used by other files at the same time. */
function freshDatabase(): string {
  return `l2h_test_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
}

async function readAll(source: ReturnType<typeof clickhouseSource>): Promise<SinkRecord[]> {
  const out: SinkRecord[] = [];
  for await (const batch of source.batches()) out.push(...batch);
  return out;
}

/** Every envelope is in `records` exactly once, rebuilt to the same object and the same JSON bytes. */
function expectExactly(records: readonly SinkRecord[], envelopes: readonly RecordEnvelope[]): void {
  expect(records.filter((r) => r.record === null)).toEqual([]);
  const byKey = new Map<string, SinkRecord[]>();
  for (const r of records) {
    const key = `${r.kind}/${String(r.record?.['seq'])}`;
    byKey.set(key, [...(byKey.get(key) ?? []), r]);
  }
  expect(records.length).toBe(envelopes.length);
  for (const env of envelopes) {
    const found = byKey.get(`${env.kind}/${env.seq}`) ?? [];
    expect(found.length, `${env.kind} seq ${env.seq}`).toBe(1);
    expect(found[0]!.record, `${env.kind} seq ${env.seq}`).toEqual(env.record);
    // Key order and number text too: the row rebuilds the JSONL line byte for byte.
    expect(JSON.stringify(found[0]!.record), `${env.kind} seq ${env.seq}`).toBe(env.json);
  }
}

const client = createClient({ url });
afterAll(() => client.close());

describe(`ClickHouse sink on ${services.clickhouse.source} ClickHouse ${services.clickhouse.version}`, () => {
  it('creates the database and the four ReplacingMergeTree tables, and opens again on them', async () => {
    const database = freshDatabase();
    const sink = new ClickHouseSink({ url, database }, { clock: systemClock, logger: silentLogger });
    await sink.open();
    await sink.close();
    const again = new ClickHouseSink({ url, database }, { clock: systemClock, logger: silentLogger });
    await again.open();
    expect(again.stats.schemaReady).toBe(true);
    await again.close();
    const rows = await (
      await client.query({
        query: `SELECT name, engine FROM system.tables WHERE database = '${database}' ORDER BY name`,
        format: 'JSONEachRow',
      })
    ).json<{ name: string; engine: string }>();
    expect(rows).toEqual([
      { name: 'gaps', engine: 'ReplacingMergeTree' },
      { name: 'l1_quotes', engine: 'ReplacingMergeTree' },
      { name: 'l2_snapshots', engine: 'ReplacingMergeTree' },
      { name: 'ticks', engine: 'ReplacingMergeTree' },
    ]);
  });

  it.each([false, true])(
    'stores records of all four kinds and reads them back exactly (FINAL, field by field, same JSON; envelopes from bytes: %s)',
    async (asBytes) => {
      const database = freshDatabase();
      const session = `s-${randomUUID()}`;
      const envelopes = sampleEnvelopes({ session, count: 4000, seed: 20261125, asBytes });
      const sink = new ClickHouseSink(
        { url, database, maxRowsPerInsert: 700 },
        { clock: systemClock, logger: silentLogger },
      );
      await sink.open();
      for (let i = 0; i < envelopes.length; i += 1000) await sink.write(envelopes.slice(i, i + 1000));
      await sink.close();
      expect(sink.stats.rowsWritten).toBe(envelopes.length);

      const source = clickhouseSource({ url, database });
      expect(source.dedup).toBe('FINAL');
      const records = await readAll(source);
      expectExactly(records, envelopes);
      for (const kind of ['l2', 'l1', 'ticks', 'gaps'] as const) {
        expect(records.filter((r) => r.kind === kind).length).toBe(
          envelopes.filter((e) => e.kind === kind).length,
        );
      }
      expect(records[0]!.where).toMatch(new RegExp(`^${database}\\.\\w+/.+#\\d+$`));
      expect(await source.collapsedDuplicates?.()).toBe(0);
    },
  );

  it('keeps ts_us and day beside the text timestamp', async () => {
    const database = freshDatabase();
    const json =
      '{"symbol":"AAPL","timestamp":"2012-06-21T09:30:00.004241","gap_end":"2012-06-21T09:30:01.000000",' +
      '"duration_us":995759,"reason":"disconnect","channel":"L2","session":"s1","seq":7}';
    const sink = new ClickHouseSink({ url, database }, { clock: systemClock, logger: silentLogger });
    await sink.open();
    await sink.write([new Envelope('gaps', 'AAPL', 7, '20120621', json)]);
    await sink.close();
    const rows = await (
      await client.query({
        query: `SELECT ts_us, toString(day) AS day, toString(toDateTime(intDiv(ts_us, 1000000), 'UTC')) AS wall FROM ${database}.gaps`,
        format: 'JSONEachRow',
        clickhouse_settings: { output_format_json_quote_64bit_integers: 0 },
      })
    ).json();
    expect(rows).toEqual([
      {
        ts_us: Date.UTC(2012, 5, 21, 9, 30, 0) * 1000 + 4241,
        day: '2012-06-21',
        wall: '2012-06-21 09:30:00',
      },
    ]);
  });

  it('is idempotent by (session, seq): the same batch twice reads back once, and the copies are counted', async () => {
    const database = freshDatabase();
    const session = `s-${randomUUID()}`;
    const envelopes = sampleEnvelopes({ session, count: 1200, seed: 7 });
    const sink = new ClickHouseSink({ url, database }, { clock: systemClock, logger: silentLogger });
    await sink.open();
    // Background merges would collapse the copies before we count them; this test counts them.
    for (const t of ['l2_snapshots', 'l1_quotes', 'ticks', 'gaps'])
      await client.command({ query: `SYSTEM STOP MERGES ${database}.${t}` });
    await sink.write(envelopes);
    await sink.write(envelopes);
    await sink.close();
    const source = clickhouseSource({ url, database, session });
    expectExactly(await readAll(source), envelopes);
    expect(await source.collapsedDuplicates?.()).toBe(envelopes.length);
    // Another session's rows are not this session's: the filter leaves them out.
    expect(await readAll(clickhouseSource({ url, database, session: "other'session" }))).toEqual([]);
  });

  it('refuses a table of another shape at open, naming the column', async () => {
    const database = freshDatabase();
    await client.command({ query: `CREATE DATABASE ${database}` });
    await client.command({
      query: `CREATE TABLE ${database}.ticks (symbol String, session String, seq UInt64, day Date, ver UInt64) ENGINE = ReplacingMergeTree(ver) PARTITION BY toYYYYMM(day) ORDER BY (session, seq)`,
    });
    const sink = new ClickHouseSink({ url, database }, { clock: systemClock, logger: silentLogger });
    const err = await sink.open().then(
      () => null,
      (e: unknown) => e,
    );
    await sink.close();
    expect(err).toBeInstanceOf(L2hError);
    expect(err).toMatchObject({ code: 'BAD_USAGE', retriable: false });
    expect((err as L2hError).message).toContain('missing column price Float64');
  });

  it('refuses a record it cannot hold exactly, naming it, without retrying', async () => {
    const database = freshDatabase();
    const sink = new ClickHouseSink({ url, database }, { clock: systemClock, logger: silentLogger });
    await sink.open();
    const json =
      '{"symbol":"AAPL","timestamp":"2012-06-21T09:30:00.004241","price":585.33,"size":1.5,"conditions":null,' +
      '"market_center":null,"total_volume":null,"tick_id":null,"session":"s1","seq":9}';
    await expect(sink.write([new Envelope('ticks', 'AAPL', 9, '20120621', json)])).rejects.toMatchObject({
      retriable: false,
      context: { kind: 'ticks', seq: 9, column: 'size' },
    });
    await sink.close();
  });

  it('stores none of an insert cut short mid-body by a record it cannot hold, and the next write lands', async () => {
    const database = freshDatabase();
    // Every time slice used up at once: the body goes out 256 rows at a time, so the server has
    // rows of this insert before the bad record is reached.
    let us = 0;
    const clock = { ...systemClock, monoUs: () => (us += 1_000_000) };
    const sink = new ClickHouseSink({ url, database }, { clock, logger: silentLogger });
    await sink.open();
    const session = `s-${randomUUID()}`;
    const ticks = sampleEnvelopes({ session, count: 20_000, seed: 11 }).filter((e) => e.kind === 'ticks');
    expect(ticks.length).toBeGreaterThan(2_000);
    const last = ticks[ticks.length - 1]!;
    const bad = new Envelope(
      'ticks',
      'AAPL',
      last.seq + 1,
      last.day,
      '{"symbol":"AAPL","timestamp":"2012-06-21T09:30:00.004241","price":585.33,"size":1.5,"conditions":null,' +
        `"market_center":null,"total_volume":null,"tick_id":null,"session":${JSON.stringify(session)},"seq":${last.seq + 1}}`,
    );
    await expect(sink.write([...ticks, bad])).rejects.toMatchObject({
      retriable: false,
      context: { kind: 'ticks', column: 'size' },
    });
    const count = async (): Promise<number> => {
      const rows = await (
        await client.query({ query: `SELECT count() AS n FROM ${database}.ticks`, format: 'JSONEachRow' })
      ).json<{ n: string }>();
      return Number(rows[0]!.n);
    };
    expect(await count()).toBe(0);
    await sink.write(ticks);
    await sink.close();
    expect(await count()).toBe(ticks.length);
  });

  it('fails retriably on a server that is not there, without printing the password', async () => {
    const sink = new ClickHouseSink(
      { url: 'http://writer:s3cret-pw@127.0.0.1:1/l2h_nowhere', requestTimeoutMs: 2_000 },
      { clock: systemClock, logger: silentLogger },
    );
    await sink.open(); // an outage at start is not fatal
    expect(sink.stats.schemaReady).toBe(false);
    const json = sampleEnvelopes({ session: 's', count: 1, seed: 1 });
    const err = await sink.write(json).then(
      () => null,
      (e: unknown) => e,
    );
    await sink.close();
    expect(err).toMatchObject({ code: 'SERVICE_UNAVAILABLE', retriable: true });
    const described = (err as L2hError).describe();
    expect(described).not.toContain('s3cret-pw');
    expect(described).toContain('writer:***@127.0.0.1:1');
  });
});
