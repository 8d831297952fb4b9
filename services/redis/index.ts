import { containerRuntime } from '../shared/container-runtime.js';
import { resolveContext } from '../shared/context.js';
import type { ProvisionContext } from '../shared/handle.js';
import { startRedisContainer } from './container.js';
import { useRedisFromEnv } from './env.js';
import type { RedisHandle } from './handle.js';
import { startLocalRedis } from './local.js';
import { type RedisOptions, resolveRedisOptions } from './options.js';

export type { RedisHandle } from './handle.js';
export type { RedisOptions } from './options.js';

/**
 * A Redis for tests and runs, from the first step that can give one:
 * REDIS_URL → a container (when a runtime answers) → a local redis-server process.
 * Throws SERVICE_UNAVAILABLE naming what to install when none can.
 */
export async function provisionRedis(options: RedisOptions, context: ProvisionContext): Promise<RedisHandle> {
  const ctx = resolveContext(context);
  const resolved = resolveRedisOptions(options, ctx.env);
  if (resolved.url !== null) return useRedisFromEnv(resolved.url, ctx);
  const tc = await containerRuntime(ctx.env, ctx.logger);
  if (tc !== null) return startRedisContainer(tc, resolved, ctx);
  return startLocalRedis(resolved, ctx);
}
