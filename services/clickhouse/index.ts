import { containerRuntime } from '../shared/container-runtime.js';
import { type ResolvedContext, resolveContext } from '../shared/context.js';
import type { ProvisionContext } from '../shared/handle.js';
import { startClickHouseContainer } from './container.js';
import { useClickHouseFromEnv } from './env.js';
import type { ClickHouseHandle } from './handle.js';
import { startLocalClickHouse } from './local.js';
import { type ClickHouseOptions, resolveClickHouseOptions } from './options.js';

export type { ClickHouseHandle } from './handle.js';
export type { ClickHouseOptions } from './options.js';

/**
 * A ClickHouse for tests and runs, from the first step that can give one:
 * CLICKHOUSE_URL → a container (when a runtime answers) → a local clickhouse-server process.
 * Throws SERVICE_UNAVAILABLE naming what to install when none can.
 */
export async function provisionClickHouse(
  options: ClickHouseOptions,
  context: ProvisionContext,
): Promise<ClickHouseHandle> {
  const ctx: ResolvedContext = resolveContext(context);
  const resolved = resolveClickHouseOptions(options, ctx.env);
  if (resolved.url !== null) return useClickHouseFromEnv(resolved.url, ctx);
  const tc = await containerRuntime(ctx.env, ctx.logger);
  if (tc !== null) return startClickHouseContainer(tc, resolved, ctx);
  return startLocalClickHouse(resolved, ctx);
}
