import { envValue } from '../shared/context.js';
import type { Env } from '../shared/handle.js';

export interface RedisOptions {
  /** An existing server to use instead of starting one. Env: REDIS_URL. */
  readonly url?: string;
  /** The redis-server executable of the local step. Env: REDIS_SERVER_BIN. */
  readonly serverBin?: string;
  /** The image of the testcontainers step. Env: REDIS_IMAGE. */
  readonly image?: string;
  /** How long a local server may take to answer PING. */
  readonly startTimeoutMs?: number;
}

export interface ResolvedRedisOptions {
  readonly url: string | null;
  /** Tried in order; a bare name is looked up on PATH. */
  readonly serverBins: readonly string[];
  readonly image: string;
  readonly startTimeoutMs: number;
}

export const REDIS_DEFAULTS = {
  serverBins: ['redis-server', '/usr/bin/redis-server'],
  image: 'redis:7',
  startTimeoutMs: 10_000,
} as const;

/** Options beat environment variables, which beat defaults. */
export function resolveRedisOptions(options: RedisOptions, env: Env): ResolvedRedisOptions {
  const serverBin = options.serverBin ?? envValue(env, 'REDIS_SERVER_BIN');
  return {
    url: options.url ?? envValue(env, 'REDIS_URL') ?? null,
    serverBins: serverBin ? [serverBin] : REDIS_DEFAULTS.serverBins,
    image: options.image ?? envValue(env, 'REDIS_IMAGE') ?? REDIS_DEFAULTS.image,
    startTimeoutMs: options.startTimeoutMs ?? REDIS_DEFAULTS.startTimeoutMs,
  };
}
