import { setContainerPaused } from '../shared/container-runtime.js';
import { alreadyStopped, type ResolvedContext } from '../shared/context.js';
import { pollUntil } from '../shared/poll.js';
import type { ClickHouseHandle } from './handle.js';
import { clickhousePing, clickhouseVersion } from './http.js';
import type { ResolvedClickHouseOptions } from './options.js';

type Testcontainers = typeof import('testcontainers');

/** A ClickHouse container; paused and unpaused in place, so its data survives an outage. */
export async function startClickHouseContainer(
  tc: Testcontainers,
  options: ResolvedClickHouseOptions,
  ctx: ResolvedContext,
): Promise<ClickHouseHandle> {
  const { ClickHouseContainer } = await import('@testcontainers/clickhouse');
  const container = await new ClickHouseContainer(options.image).start();
  const url = container.getConnectionUrl();
  const version = await clickhouseVersion(url, 10_000).catch(async (err: unknown) => {
    // The container is up: a failed version query must not leave it running.
    await container.stop();
    throw err;
  });
  ctx.logger.info(
    { service: 'clickhouse', source: 'testcontainers', image: options.image, version },
    'service ready',
  );
  let paused = false;
  let stopped = false;
  return {
    name: 'clickhouse',
    source: 'testcontainers',
    url,
    version,
    outage: 'kept',
    pause: async () => {
      if (stopped) throw alreadyStopped('clickhouse');
      if (paused) return;
      await setContainerPaused(tc, container.getId(), true);
      paused = true;
    },
    resume: async () => {
      if (stopped) throw alreadyStopped('clickhouse');
      if (!paused) return;
      await setContainerPaused(tc, container.getId(), false);
      paused = false;
      await pollUntil(async () => ((await clickhousePing(url, 1_000)) ? true : undefined), {
        clock: ctx.clock,
        timeoutMs: options.startTimeoutMs,
        intervalMs: 50,
        what: `ClickHouse container ${container.getId().slice(0, 12)} to answer /ping after unpause`,
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
