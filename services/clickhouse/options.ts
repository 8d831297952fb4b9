import { envValue } from '../shared/context.js';
import type { Env } from '../shared/handle.js';

export interface ClickHouseOptions {
  /** An existing server to use instead of starting one. Env: CLICKHOUSE_URL. */
  readonly url?: string;
  /** The clickhouse-server executable of the local step. Env: CLICKHOUSE_SERVER_BIN. */
  readonly serverBin?: string;
  /** The image of the testcontainers step. Env: CLICKHOUSE_IMAGE. */
  readonly image?: string;
  /** How long a local server may take to answer /ping. */
  readonly startTimeoutMs?: number;
}

export interface ResolvedClickHouseOptions {
  readonly url: string | null;
  /** Tried in order; a bare name is looked up on PATH. */
  readonly serverBins: readonly string[];
  readonly image: string;
  readonly startTimeoutMs: number;
}

export const CLICKHOUSE_DEFAULTS = {
  // Debian installs it in sbin, which a non-root PATH may lack: try that path first.
  serverBins: ['/usr/sbin/clickhouse-server', 'clickhouse-server'],
  image: 'clickhouse/clickhouse-server:24.8',
  startTimeoutMs: 30_000,
} as const;

/** Options beat environment variables, which beat defaults. */
export function resolveClickHouseOptions(options: ClickHouseOptions, env: Env): ResolvedClickHouseOptions {
  const serverBin = options.serverBin ?? envValue(env, 'CLICKHOUSE_SERVER_BIN');
  return {
    url: options.url ?? envValue(env, 'CLICKHOUSE_URL') ?? null,
    serverBins: serverBin ? [serverBin] : CLICKHOUSE_DEFAULTS.serverBins,
    image: options.image ?? envValue(env, 'CLICKHOUSE_IMAGE') ?? CLICKHOUSE_DEFAULTS.image,
    startTimeoutMs: options.startTimeoutMs ?? CLICKHOUSE_DEFAULTS.startTimeoutMs,
  };
}
