import { describe, expect, it, vi } from 'vitest';
import { silentLogger } from '../../../common/logger.js';
import { startRedisContainer } from '../../../services/redis/container.js';
import { resolveRedisOptions } from '../../../services/redis/options.js';
import { resolveContext } from '../../../services/shared/context.js';

const stop = vi.fn(() => Promise.resolve());

// A started container as far as provisioning can tell; whether it is stopped is what counts.
vi.mock('@testcontainers/redis', () => ({
  RedisContainer: class {
    start() {
      return Promise.resolve({ getConnectionUrl: () => 'redis://127.0.0.1:1', stop });
    }
  },
}));
vi.mock('../../../services/redis/probe.js', async (importOriginal) => ({
  ...(await importOriginal<typeof import('../../../services/redis/probe.js')>()),
  redisVersion: () => Promise.reject(new Error('simulated: INFO server timed out')),
}));

describe('Redis container provisioning', () => {
  it('stops the container it started when the version query fails', async () => {
    const ctx = resolveContext({ logger: silentLogger, env: {} });
    const tc = {} as typeof import('testcontainers');
    await expect(startRedisContainer(tc, resolveRedisOptions({}, ctx.env), ctx)).rejects.toThrow(
      'simulated: INFO server timed out',
    );
    expect(stop).toHaveBeenCalledOnce();
  });
});
