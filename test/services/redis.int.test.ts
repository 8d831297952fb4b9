import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../common/clock.js';
import { silentLogger } from '../../common/logger.js';
import { provisionRedis } from '../../services/index.js';
import { pollUntil } from '../../services/shared/poll.js';
import { envWithout, expectLocalPid, hostPortOf, tcpRefuses } from './support.js';

// Our own server (container or local process), not the suite's shared one: these tests take it down.
const env = envWithout('REDIS_URL');
const redis = await provisionRedis({}, { logger: silentLogger, env });
afterAll(() => redis.stop());

/** A client that fails fast while the server is away and reconnects on its own when it is back. */
async function client(): Promise<Redis> {
  const r = new Redis(redis.url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => 100,
  });
  r.on('error', () => {});
  await r.connect();
  return r;
}

describe(`Redis from ${redis.describe()}`, () => {
  it('answers SET and GET', async () => {
    expect(redis.version).toMatch(/^\d+\.\d+\.\d+/);
    const r = await client();
    try {
      expect(await r.set('l2h:smoke', 'v1')).toBe('OK');
      expect(await r.get('l2h:smoke')).toBe('v1');
    } finally {
      r.disconnect();
    }
  });

  it('pause() takes the server away from a client and resume() brings it back on the same address', async () => {
    expect(redis.outage).not.toBeNull();
    const r = await client();
    try {
      await r.set('l2h:outage', 'before');
      await redis.pause();
      await expect(r.get('l2h:outage')).rejects.toThrow();
      expect(await tcpRefuses(hostPortOf(redis.url))).toBe(redis.source === 'local');

      await redis.resume();
      const value = await pollUntil(async () => ({ v: await r.get('l2h:outage') }), {
        clock: systemClock,
        timeoutMs: 15_000,
        intervalMs: 100,
        what: 'the client to reach Redis again after resume()',
      });
      // A local redis-server runs without persistence: what `outage` promises is what we get.
      expect(value.v).toBe(redis.outage === 'kept' ? 'before' : null);
      expect(await r.set('l2h:outage', 'after')).toBe('OK');
    } finally {
      r.disconnect();
    }
  });

  it('a local server names its process, for CPU accounting', async () => {
    await expectLocalPid(redis, /redis-server/);
  });

  it('a second provisioning pointed at it by REDIS_URL uses it as is (source env)', async () => {
    const second = await provisionRedis({}, { logger: silentLogger, env: { ...env, REDIS_URL: redis.url } });
    expect(second.source).toBe('env');
    await expectLocalPid(second, /redis-server/);
    expect(second.url).toBe(redis.url);
    expect(second.version).toBe(redis.version);
    expect(second.outage).toBeNull();
    await expect(second.resume()).rejects.toMatchObject({ code: 'BAD_USAGE' });
    await second.stop();
    expect(await tcpRefuses(hostPortOf(redis.url))).toBe(false);
  });

  it('REDIS_URL pointing at nothing fails naming the variable', async () => {
    await expect(
      provisionRedis({}, { logger: silentLogger, env: { ...env, REDIS_URL: 'redis://127.0.0.1:1' } }),
    ).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE', message: expect.stringContaining('REDIS_URL=') });
  });

  it('stop() ends a server for good', async () => {
    const other = await provisionRedis({}, { logger: silentLogger, env });
    await other.stop();
    expect(await tcpRefuses(hostPortOf(other.url))).toBe(true);
    await expect(other.resume()).rejects.toMatchObject({ code: 'BAD_USAGE' });
  });
});
