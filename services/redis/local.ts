import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { alreadyStopped, type ResolvedContext } from '../shared/context.js';
import { findExecutable } from '../shared/executable.js';
import { LocalServer } from '../shared/local-server.js';
import { unavailable } from '../shared/unavailable.js';
import type { RedisHandle } from './handle.js';
import type { ResolvedRedisOptions } from './options.js';
import { redisPing, redisVersion } from './probe.js';

/**
 * Debian's redis-server as our child on a free port, with persistence off and a private working
 * directory. `pause()` is SIGTERM and `resume()` restarts it on the same port: **the data is
 * lost** (nothing is saved), which `outage: 'lost'` says to callers.
 */
export async function startLocalRedis(
  options: ResolvedRedisOptions,
  ctx: ResolvedContext,
): Promise<RedisHandle> {
  const bin = await findExecutable(options.serverBins, ctx.env);
  if (bin === null) {
    throw unavailable({
      service: 'redis',
      reason: `redis-server not found (looked for ${options.serverBins.join(', ')})`,
      packages: ['redis-server'],
      envVar: 'REDIS_URL',
    });
  }
  const dir = await mkdtemp(join(tmpdir(), 'l2h-redis-'));
  const started = ctx.clock.monoUs();
  let server: LocalServer | undefined;
  let version: string;
  try {
    server = await LocalServer.start(
      {
        label: 'redis-server',
        command: bin,
        args: async (port) => [
          '--port',
          String(port),
          '--bind',
          '127.0.0.1',
          '--save',
          '',
          '--appendonly',
          'no',
          '--dir',
          dir,
          '--daemonize',
          'no',
          '--loglevel',
          'warning',
        ],
        ready: (port) => redisPing(`redis://127.0.0.1:${port}`, 1_000),
        dir,
        startTimeoutMs: options.startTimeoutMs,
        stopGraceMs: 5_000,
        portTaken: /Address already in use/,
      },
      ctx,
    );
    version = await redisVersion(`redis://127.0.0.1:${server.port}`, 5_000);
  } catch (err) {
    // It may be up already (the version query failed): stop it before deleting its directory.
    await server?.stop(1_000);
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  const url = `redis://127.0.0.1:${server.port}`;
  ctx.logger.info(
    {
      service: 'redis',
      source: 'local',
      url,
      version,
      ms: Math.round((ctx.clock.monoUs() - started) / 1000),
    },
    'service ready',
  );
  let stopped = false;
  return {
    name: 'redis',
    source: 'local',
    url,
    version,
    outage: 'lost',
    pause: () => (stopped ? Promise.reject(alreadyStopped('redis')) : server.pause()),
    resume: () => (stopped ? Promise.reject(alreadyStopped('redis')) : server.resume()),
    stop: async () => {
      if (stopped) return;
      stopped = true;
      // Its data directory goes next, so an orderly shutdown buys nothing.
      await server.stop(1_000);
      await rm(dir, { recursive: true, force: true });
    },
    describe: () => `local ${version}`,
    localPid: () => (stopped ? null : server.pid),
  };
}
