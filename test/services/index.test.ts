import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { L2hError } from '../../common/errors.js';
import { silentLogger } from '../../common/logger.js';
import { provisionServices } from '../../services/index.js';

const scratch = await mkdtemp(join(tmpdir(), 'l2h-services-unit-'));
afterAll(() => rm(scratch, { recursive: true, force: true }));

/** No container runtime, no URLs, and every binary pointed at a file that does not exist. */
const nothingThere = {
  PATH: '/nonexistent',
  TESTCONTAINERS_DISABLED: '1',
  CLICKHOUSE_SERVER_BIN: '/nonexistent/clickhouse-server',
  REDIS_SERVER_BIN: '/nonexistent/redis-server',
  KAFKA_MOCK_LAUNCHER: join(scratch, 'not-built', 'mock-launcher'),
  CC: '/nonexistent/gcc',
};

describe('provisionServices with nothing to run services on', () => {
  it('throws SERVICE_UNAVAILABLE naming every missing piece and the apt-get line that installs them', async () => {
    const err = await provisionServices({
      clickhouse: true,
      kafka: true,
      redis: true,
      logger: silentLogger,
      env: nothingThere,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(L2hError);
    const e = err as L2hError;
    expect(e.code).toBe('SERVICE_UNAVAILABLE');
    expect(e.message).toContain('apt-get install clickhouse-server librdkafka-dev gcc redis-server');
    expect(e.message).toContain('/nonexistent/clickhouse-server');
    expect(e.message).toContain('/nonexistent/redis-server');
    expect(e.message).toContain('/nonexistent/gcc');
    expect(e.message).toContain('CLICKHOUSE_URL / KAFKA_BROKERS / REDIS_URL');
  });

  it('names only what the services asked for lack', async () => {
    const err = await provisionServices({ redis: true, logger: silentLogger, env: nothingThere }).catch(
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
    const message = (err as Error).message;
    expect(message).toContain('apt-get install redis-server (or run scripts/setup.sh), or set REDIS_URL');
    expect(message).not.toContain('clickhouse');
  });

  it('starts nothing when nothing is asked for', async () => {
    const services = await provisionServices({ logger: silentLogger, env: nothingThere });
    expect([services.clickhouse, services.kafka, services.redis]).toEqual([null, null, null]);
    expect(services.describe()).toEqual({});
    await services.stopAll();
  });
});
