import { afterEach, describe, it, vi } from 'vitest';
import { silentLogger } from '../../../common/logger.js';
import { startLocalClickHouse } from '../../../services/clickhouse/local.js';
import { resolveClickHouseOptions } from '../../../services/clickhouse/options.js';
import { resolveContext } from '../../../services/shared/context.js';
import type { LocalServer } from '../../../services/shared/local-server.js';
import { expectFailedStartStopsServer } from '../support.js';

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
    const ctx = resolveContext({ logger: silentLogger });
    await expectFailedStartStopsServer(
      () => startLocalClickHouse(resolveClickHouseOptions({}, ctx.env), ctx),
      'simulated: SELECT version() timed out',
      servers,
    );
  });
});
