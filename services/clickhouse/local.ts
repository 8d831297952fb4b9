import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { alreadyStopped, type ResolvedContext } from '../shared/context.js';
import { findExecutable } from '../shared/executable.js';
import { LocalServer } from '../shared/local-server.js';
import { unavailable } from '../shared/unavailable.js';
import type { ClickHouseHandle } from './handle.js';
import { clickhousePing, clickhouseVersion } from './http.js';
import type { ResolvedClickHouseOptions } from './options.js';

/**
 * The private config of SERVICES.md §1: HTTP only (no <tcp_port>, so nothing binds 9000 and a
 * system instance cannot clash with us), data under our own directory, users and profiles
 * inline. LowCardinality needs the experimental flag on 18.16; newer servers ignore it.
 */
export function renderClickHouseConfig(port: number, dir: string): string {
  const d = escapeXml(dir.endsWith('/') ? dir : `${dir}/`);
  return `<?xml version="1.0"?>
<yandex>
  <logger><level>warning</level><console>1</console></logger>
  <listen_host>127.0.0.1</listen_host>
  <http_port>${port}</http_port>
  <path>${d}data/</path>
  <tmp_path>${d}data/tmp/</tmp_path>
  <user_files_path>${d}data/user_files/</user_files_path>
  <format_schema_path>${d}data/format_schemas/</format_schema_path>
  <users>
    <default>
      <password></password>
      <networks><ip>127.0.0.1</ip><ip>::1</ip></networks>
      <profile>default</profile>
      <quota>default</quota>
    </default>
  </users>
  <profiles>
    <default><allow_experimental_low_cardinality_type>1</allow_experimental_low_cardinality_type></default>
  </profiles>
  <quotas><default></default></quotas>
  <mark_cache_size>134217728</mark_cache_size>
  <!-- 18.16 waits on SIGTERM until idle keep-alive clients time out (10 s by default); 3 s is the
       default of current servers and above @clickhouse/client's 2.5 s idle-socket TTL. -->
  <keep_alive_timeout>3</keep_alive_timeout>
</yandex>
`;
}

function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * clickhouse-server as our child on a free port with a private data directory.
 * `pause()` is SIGTERM; `resume()` restarts it on the same port and data directory, so tables
 * and rows survive the outage. `stop()` also deletes the directory.
 */
export async function startLocalClickHouse(
  options: ResolvedClickHouseOptions,
  ctx: ResolvedContext,
): Promise<ClickHouseHandle> {
  const bin = await findExecutable(options.serverBins, ctx.env);
  if (bin === null) {
    throw unavailable({
      service: 'clickhouse',
      reason: `clickhouse-server not found (looked for ${options.serverBins.join(', ')})`,
      packages: ['clickhouse-server'],
      envVar: 'CLICKHOUSE_URL',
    });
  }
  const dir = await mkdtemp(join(tmpdir(), 'l2h-clickhouse-'));
  const configFile = join(dir, 'config.xml');
  const started = ctx.clock.monoUs();
  let server: LocalServer | undefined;
  let version: string;
  try {
    server = await LocalServer.start(
      {
        label: 'clickhouse-server',
        command: bin,
        args: async (port) => {
          await writeFile(configFile, renderClickHouseConfig(port, dir));
          return [`--config-file=${configFile}`];
        },
        ready: (port) => clickhousePing(`http://127.0.0.1:${port}`, 1_000),
        dir,
        startTimeoutMs: options.startTimeoutMs,
        // Covers keep_alive_timeout (3 s) plus the 18.16 shutdown itself (~0.2 s measured). Not
        // more: 18.16 keeps serving keep-alive clients through SIGTERM, so with a client that
        // retries every second (a collector whose sink is down) it never goes idle and the grace
        // always runs out (measured: 10.0 s with 10 s); a longer one only delays every outage.
        stopGraceMs: 4_000,
        portTaken: /Address already in use/,
      },
      ctx,
    );
    version = await clickhouseVersion(`http://127.0.0.1:${server.port}`, 10_000);
  } catch (err) {
    // It may be up already (the version query failed): stop it before deleting its directory.
    await server?.stop(1_000);
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  const url = `http://127.0.0.1:${server.port}`;
  ctx.logger.info(
    {
      service: 'clickhouse',
      source: 'local',
      url,
      version,
      dir,
      ms: Math.round((ctx.clock.monoUs() - started) / 1000),
    },
    'service ready',
  );
  let stopped = false;
  return {
    name: 'clickhouse',
    source: 'local',
    url,
    version,
    outage: 'kept',
    pause: () => (stopped ? Promise.reject(alreadyStopped('clickhouse')) : server.pause()),
    resume: () => (stopped ? Promise.reject(alreadyStopped('clickhouse')) : server.resume()),
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
