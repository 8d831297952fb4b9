import { setContainerPaused } from '../shared/container-runtime.js';
import { alreadyStopped, type ResolvedContext } from '../shared/context.js';
import { pollUntil } from '../shared/poll.js';
import type { RedisHandle } from './handle.js';
import type { ResolvedRedisOptions } from './options.js';
import { redisPing, redisVersion } from './probe.js';

type Testcontainers = typeof import('testcontainers');

/** A Redis container; paused and unpaused in place, so its data survives an outage. */
export async function startRedisContainer(
  tc: Testcontainers,
  options: ResolvedRedisOptions,
  ctx: ResolvedContext,
): Promise<RedisHandle> {
  const { RedisContainer } = await import('@testcontainers/redis');
  const container = await new RedisContainer(options.image).start();
  const url = container.getConnectionUrl();
  const version = await redisVersion(url, 10_000).catch(async (err: unknown) => {
    // The container is up: a failed version query must not leave it running.
    await container.stop();
    throw err;
  });
  ctx.logger.info(
    { service: 'redis', source: 'testcontainers', image: options.image, version },
    'service ready',
  );
  let paused = false;
  let stopped = false;
  return {
    name: 'redis',
    source: 'testcontainers',
    url,
    version,
    outage: 'kept',
    pause: async () => {
      if (stopped) throw alreadyStopped('redis');
      if (paused) return;
      await setContainerPaused(tc, container.getId(), true);
      paused = true;
    },
    resume: async () => {
      if (stopped) throw alreadyStopped('redis');
      if (!paused) return;
      await setContainerPaused(tc, container.getId(), false);
      paused = false;
      await pollUntil(async () => ((await redisPing(url, 1_000)) ? true : undefined), {
        clock: ctx.clock,
        timeoutMs: options.startTimeoutMs,
        intervalMs: 50,
        what: `Redis container ${container.getId().slice(0, 12)} to answer PING after unpause`,
      });
    },
    stop: async () => {
      if (stopped) return;
      stopped = true;
      if (paused) await setContainerPaused(tc, container.getId(), false);
      await container.stop();
    },
    describe: () => `testcontainers ${version}`,
  };
}
