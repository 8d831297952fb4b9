import { describe, expect, it, vi } from 'vitest';
import { silentLogger } from '../../../common/logger.js';
import { startClickHouseContainer } from '../../../services/clickhouse/container.js';
import { resolveClickHouseOptions } from '../../../services/clickhouse/options.js';
import { resolveContext } from '../../../services/shared/context.js';

const stop = vi.fn(() => Promise.resolve());

// A started container as far as provisioning can tell; whether it is stopped is what counts.
vi.mock('@testcontainers/clickhouse', () => ({
  ClickHouseContainer: class {
    start() {
      return Promise.resolve({ getConnectionUrl: () => 'http://127.0.0.1:1', stop });
    }
  },
}));
vi.mock('../../../services/clickhouse/http.js', async (importOriginal) => ({
  ...(await importOriginal<typeof import('../../../services/clickhouse/http.js')>()),
  clickhouseVersion: () => Promise.reject(new Error('simulated: SELECT version() timed out')),
}));

describe('ClickHouse container provisioning', () => {
  it('stops the container it started when the version query fails', async () => {
    const ctx = resolveContext({ logger: silentLogger, env: {} });
    const tc = {} as typeof import('testcontainers');
    await expect(startClickHouseContainer(tc, resolveClickHouseOptions({}, ctx.env), ctx)).rejects.toThrow(
      'simulated: SELECT version() timed out',
    );
    expect(stop).toHaveBeenCalledOnce();
  });
});
