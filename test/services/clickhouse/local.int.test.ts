import { existsSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { silentLogger } from '../../../common/logger.js';
import { startLocalClickHouse } from '../../../services/clickhouse/local.js';
import { resolveClickHouseOptions } from '../../../services/clickhouse/options.js';
import { resolveContext } from '../../../services/shared/context.js';
import { LocalServer } from '../../../services/shared/local-server.js';

// The version query fails after the server answered its readiness probe, as a timeout under load would.
vi.mock('../../../services/clickhouse/http.js', async (importOriginal) => ({
  ...(await importOriginal<typeof import('../../../services/clickhouse/http.js')>()),
  clickhouseVersion: () => Promise.reject(new Error('simulated: SELECT version() timed out')),
}));

const servers: LocalServer[] = [];
afterEach(async () => {
  // What a failing (unfixed) provisioning left running.
  for (const s of servers.splice(0)) await s.stop(1_000);
  vi.restoreAllMocks();
});

describe('local clickhouse-server provisioning', () => {
  it('stops the server it started when a step after readiness fails, then removes its directory', async () => {
    const pids: number[] = [];
    const start = LocalServer.start.bind(LocalServer);
    vi.spyOn(LocalServer, 'start').mockImplementation(async (spec, ctx) => {
      const server = await start(spec, ctx);
      servers.push(server);
      pids.push(server.pid ?? 0);
      return server;
    });
    const ctx = resolveContext({ logger: silentLogger });
    await expect(startLocalClickHouse(resolveClickHouseOptions({}, ctx.env), ctx)).rejects.toThrow(
      'simulated: SELECT version() timed out',
    );
    expect(pids).toHaveLength(1);
    expect(servers[0]!.running).toBe(false);
    expect(() => process.kill(pids[0]!, 0)).toThrow(/ESRCH/);
    const spec = vi.mocked(LocalServer.start).mock.calls[0]![0];
    expect(existsSync(spec.dir)).toBe(false);
  });
});
