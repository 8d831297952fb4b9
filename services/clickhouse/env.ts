import { errorMessage, L2hError } from '../../common/errors.js';
import { redactUrl } from '../../common/logger.js';
import { notPausable, type ResolvedContext } from '../shared/context.js';
import type { ClickHouseHandle } from './handle.js';
import { clickhouseVersion } from './http.js';

/** Use the server CLICKHOUSE_URL points at; fail now, naming the variable, if it does not answer. */
export async function useClickHouseFromEnv(url: string, ctx: ResolvedContext): Promise<ClickHouseHandle> {
  let version: string;
  try {
    version = await clickhouseVersion(url, 5_000);
  } catch (err) {
    throw new L2hError(
      `CLICKHOUSE_URL=${redactUrl(url)} does not answer SELECT version(): ${errorMessage(err)}`,
      {
        code: 'SERVICE_UNAVAILABLE',
        cause: err,
        context: { service: 'clickhouse', url: redactUrl(url) },
        hint: 'start that server, or unset CLICKHOUSE_URL to have one started for you',
      },
    );
  }
  ctx.logger.info({ service: 'clickhouse', source: 'env', url: redactUrl(url), version }, 'service ready');
  return {
    name: 'clickhouse',
    source: 'env',
    url,
    version,
    outage: null,
    pause: () => Promise.reject(notPausable('clickhouse', 'CLICKHOUSE_URL')),
    resume: () => Promise.reject(notPausable('clickhouse', 'CLICKHOUSE_URL')),
    stop: () => Promise.resolve(),
    describe: () => `env ${version}`,
  };
}
