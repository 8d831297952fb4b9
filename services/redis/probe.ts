import { Redis } from 'ioredis';
import { L2hError } from '../../common/errors.js';
import { redactUrl } from '../../common/logger.js';

/**
 * Connect once, run `use`, disconnect. No retries and no offline queue: a probe must report
 * "not there" at once rather than wait for a server that may never come.
 */
async function withRedis<T>(url: string, timeoutMs: number, use: (r: Redis) => Promise<T>): Promise<T> {
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  // Connection errors arrive both as events and as rejections; the rejection is what we report.
  redis.on('error', () => {});
  try {
    await redis.connect();
    return await use(redis);
  } finally {
    redis.disconnect();
  }
}

/** True when the server answers PING with PONG; errors are false, not thrown. */
export async function redisPing(url: string, timeoutMs: number): Promise<boolean> {
  try {
    return (await withRedis(url, timeoutMs, (r) => r.ping())) === 'PONG';
  } catch {
    return false;
  }
}

/** The server's `redis_version` from INFO server. */
export async function redisVersion(url: string, timeoutMs: number): Promise<string> {
  let info: string;
  try {
    info = await withRedis(url, timeoutMs, (r) => r.info('server'));
  } catch (err) {
    throw new L2hError(
      `Redis at ${redactUrl(url)} did not answer INFO: ${err instanceof Error ? err.message : String(err)}`,
      {
        code: 'SERVICE_UNAVAILABLE',
        retriable: true,
        cause: err,
        context: { url: redactUrl(url) },
      },
    );
  }
  const match = /^redis_version:(\S+)/m.exec(info);
  return match?.[1] ?? 'unknown';
}
