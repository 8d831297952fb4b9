import { ClickHouseLogLevel, createClient } from '@clickhouse/client';
import { afterAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../common/clock.js';
import { silentLogger } from '../../common/logger.js';
import { clickhousePing } from '../../services/clickhouse/http.js';
import { provisionClickHouse } from '../../services/index.js';
import { pollUntil } from '../../services/shared/poll.js';
import { envWithout, expectLocalPid, hostPortOf, tcpRefuses } from './support.js';

// Our own server (container or local process), not the suite's shared one: these tests take it down.
const env = envWithout('CLICKHOUSE_URL');
const ch = await provisionClickHouse({}, { logger: silentLogger, env });
afterAll(() => ch.stop());

describe(`ClickHouse from ${ch.describe()}`, () => {
  it('answers real queries through @clickhouse/client, LowCardinality included', async () => {
    expect(ch.version).toMatch(/^\d+\.\d+\.\d+/);
    const client = createClient({ url: ch.url });
    try {
      await client.command({
        query:
          'CREATE TABLE svc_smoke (id UInt64, sym LowCardinality(String)) ENGINE = MergeTree ORDER BY id',
      });
      await client.insert({
        table: 'svc_smoke',
        values: [
          { id: 2, sym: 'MSFT' },
          { id: 1, sym: 'AAPL' },
        ],
        format: 'JSONEachRow',
      });
      const rows = await (
        await client.query({ query: 'SELECT id, sym FROM svc_smoke ORDER BY id', format: 'JSONEachRow' })
      ).json();
      expect(rows).toEqual([
        { id: '1', sym: 'AAPL' },
        { id: '2', sym: 'MSFT' },
      ]);
    } finally {
      await client.close();
    }
  });

  it('pause() takes the server away from a client and resume() brings it back with its rows', async () => {
    expect(ch.outage).toBe('kept');
    const client = createClient({
      url: ch.url,
      request_timeout: 3_000,
      log: { level: ClickHouseLogLevel.OFF },
    });
    const count = async (): Promise<number> => {
      const rows = await (
        await client.query({ query: 'SELECT count() AS n FROM svc_outage', format: 'JSONEachRow' })
      ).json<{ n: string }>();
      return Number(rows[0]?.n);
    };
    try {
      await client.command({ query: 'CREATE TABLE svc_outage (id UInt64) ENGINE = MergeTree ORDER BY id' });
      await client.insert({
        table: 'svc_outage',
        values: Array.from({ length: 1000 }, (_, id) => ({ id })),
        format: 'JSONEachRow',
      });
      expect(await count()).toBe(1000);

      await ch.pause();
      await expect(count()).rejects.toThrow();
      expect(await clickhousePing(ch.url, 1_000)).toBe(false);

      await ch.resume();
      // The same client recovers (its pooled socket may be dead: the first try may fail).
      const after = await pollUntil(() => count(), {
        clock: systemClock,
        timeoutMs: 15_000,
        intervalMs: 100,
        what: 'the client to query ClickHouse again after resume()',
      });
      expect(after).toBe(1000);
    } finally {
      await client.close();
    }
  });

  it('a local server names its process, for CPU accounting', async () => {
    await expectLocalPid(ch, /clickhouse/);
  });

  it('a second provisioning pointed at it by CLICKHOUSE_URL uses it as is (source env)', async () => {
    const second = await provisionClickHouse(
      {},
      { logger: silentLogger, env: { ...env, CLICKHOUSE_URL: ch.url } },
    );
    expect(second.source).toBe('env');
    await expectLocalPid(second, /clickhouse/);
    expect(second.url).toBe(ch.url);
    expect(second.version).toBe(ch.version);
    expect(second.outage).toBeNull();
    await expect(second.pause()).rejects.toMatchObject({ code: 'BAD_USAGE' });
    await second.stop();
    expect(await clickhousePing(ch.url, 1_000)).toBe(true);
  });

  it('CLICKHOUSE_URL pointing at nothing fails naming the variable', async () => {
    // Port 1 (tcpmux) is privileged and unused here: connecting is refused at once.
    const dead = 'http://127.0.0.1:1';
    await expect(
      provisionClickHouse({}, { logger: silentLogger, env: { ...env, CLICKHOUSE_URL: dead } }),
    ).rejects.toMatchObject({
      code: 'SERVICE_UNAVAILABLE',
      message: expect.stringContaining('CLICKHOUSE_URL='),
    });
  });

  it('stop() ends a server for good', async () => {
    const other = await provisionClickHouse({}, { logger: silentLogger, env });
    expect(await clickhousePing(other.url, 1_000)).toBe(true);
    await other.stop();
    expect(await tcpRefuses(hostPortOf(other.url))).toBe(true);
    await other.stop();
    await expect(other.resume()).rejects.toMatchObject({ code: 'BAD_USAGE' });
  });
});
