import { errorMessage, L2hError } from '../../common/errors.js';
import { redactUrl } from '../../common/logger.js';
import { notPausable, type ResolvedContext } from '../shared/context.js';
import type { RedisHandle } from './handle.js';
import { redisVersion } from './probe.js';

/** Use the server REDIS_URL points at; fail now, naming the variable, if it does not answer. */
export async function useRedisFromEnv(url: string, ctx: ResolvedContext): Promise<RedisHandle> {
  let version: string;
  try {
    version = await redisVersion(url, 5_000);
  } catch (err) {
    throw new L2hError(`REDIS_URL=${redactUrl(url)} does not answer INFO: ${errorMessage(err)}`, {
      code: 'SERVICE_UNAVAILABLE',
      cause: err,
      context: { service: 'redis', url: redactUrl(url) },
      hint: 'start that server, or unset REDIS_URL to have one started for you',
    });
  }
  ctx.logger.info({ service: 'redis', source: 'env', url: redactUrl(url), version }, 'service ready');
  return {
    name: 'redis',
    source: 'env',
    url,
    version,
    outage: null,
    pause: () => Promise.reject(notPausable('redis', 'REDIS_URL')),
    resume: () => Promise.reject(notPausable('redis', 'REDIS_URL')),
    stop: () => Promise.resolve(),
    describe: () => `env ${version}`,
  };
}
