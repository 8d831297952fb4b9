import { afterEach, describe, it, vi } from 'vitest';
import { silentLogger } from '../../../common/logger.js';
import { startLocalRedis } from '../../../services/redis/local.js';
import { resolveRedisOptions } from '../../../services/redis/options.js';
import { resolveContext } from '../../../services/shared/context.js';
import type { LocalServer } from '../../../services/shared/local-server.js';
import { expectFailedStartStopsServer } from '../support.js';

// The version query fails after the server answered its readiness probe, as a timeout under load would.
vi.mock('../../../services/redis/probe.js', async (importOriginal) => ({
  ...(await importOriginal<typeof import('../../../services/redis/probe.js')>()),
  redisVersion: () => Promise.reject(new Error('simulated: INFO server timed out')),
}));

const servers: LocalServer[] = [];
afterEach(async () => {
  // What a failing (unfixed) provisioning left running.
  for (const s of servers.splice(0)) await s.stop(1_000);
  vi.restoreAllMocks();
});

describe('local redis-server provisioning', () => {
  it('stops the server it started when a step after readiness fails, then removes its directory', async () => {
    const ctx = resolveContext({ logger: silentLogger });
    await expectFailedStartStopsServer(
      () => startLocalRedis(resolveRedisOptions({}, ctx.env), ctx),
      'simulated: INFO server timed out',
      servers,
    );
  });
});
