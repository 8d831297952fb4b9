/**
 * Redis sink options: what a caller may say, the resolved form with every default filled in, and
 * the environment variables that stand in for flags until `l2h collect` grows its own.
 */
import { usageError } from '../../../common/errors.js';
import { redactUrl } from '../../../common/logger.js';
import { DEFAULT_KEY_PREFIX } from './keys.js';

export interface RedisSinkOptions {
  /** `redis://[user:password@]host:port[/db]` (or `rediss://` for TLS). */
  readonly url: string;
  /** The collector session whose records this sink writes. */
  readonly session: string;
  /** Prepended to every key (default `l2h:`): several collectors can share one Redis. */
  readonly keyPrefix?: string;
  /** Each stream keeps about this many recent records (`XADD … MAXLEN ~ N`, default 10,000). */
  readonly streamMaxLen?: number;
  /** A command that has no answer after this long fails the batch, retriably (default 10 s). */
  readonly commandTimeoutMs?: number;
  /** How long one connection attempt may take (default 5 s). */
  readonly connectTimeoutMs?: number;
  /** Latest-state keys per script call (default 500): one call must not hold Redis for long. */
  readonly latestKeysPerCall?: number;
}

export interface ResolvedRedisSinkOptions {
  readonly url: string;
  readonly session: string;
  readonly keyPrefix: string;
  readonly streamMaxLen: number;
  readonly commandTimeoutMs: number;
  readonly connectTimeoutMs: number;
  readonly latestKeysPerCall: number;
}

export const REDIS_SINK_DEFAULTS = {
  url: 'redis://127.0.0.1:6379',
  keyPrefix: DEFAULT_KEY_PREFIX,
  streamMaxLen: 10_000,
  commandTimeoutMs: 10_000,
  connectTimeoutMs: 5_000,
  latestKeysPerCall: 500,
} as const;

function positiveInt(value: number, what: string): number {
  if (!Number.isInteger(value) || value <= 0)
    throw usageError(`${what} must be a positive integer, got ${String(value)}`);
  return value;
}

export function resolveRedisSinkOptions(o: RedisSinkOptions): ResolvedRedisSinkOptions {
  let parsed: URL;
  try {
    parsed = new URL(o.url);
  } catch {
    throw usageError(
      `Redis URL ${JSON.stringify(redactUrl(o.url))} is not a URL`,
      'e.g. redis://127.0.0.1:6379',
    );
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw usageError(
      `Redis URL ${redactUrl(o.url)} must start with redis:// or rediss://`,
      'e.g. redis://127.0.0.1:6379',
    );
  }
  if (!o.session) throw usageError('the Redis sink needs the collector session');
  return {
    url: o.url,
    session: o.session,
    keyPrefix: o.keyPrefix ?? REDIS_SINK_DEFAULTS.keyPrefix,
    streamMaxLen: positiveInt(
      o.streamMaxLen ?? REDIS_SINK_DEFAULTS.streamMaxLen,
      'Redis stream length (MAXLEN)',
    ),
    commandTimeoutMs: positiveInt(
      o.commandTimeoutMs ?? REDIS_SINK_DEFAULTS.commandTimeoutMs,
      'Redis command timeout',
    ),
    connectTimeoutMs: positiveInt(
      o.connectTimeoutMs ?? REDIS_SINK_DEFAULTS.connectTimeoutMs,
      'Redis connect timeout',
    ),
    latestKeysPerCall: positiveInt(
      o.latestKeysPerCall ?? REDIS_SINK_DEFAULTS.latestKeysPerCall,
      'latest keys per call',
    ),
  };
}

/**
 * The environment variables of the Redis sink, for `l2h collect --sinks …,redis`:
 * `L2H_REDIS_URL` (else `REDIS_URL`, else redis://127.0.0.1:6379), `L2H_REDIS_PREFIX`,
 * `L2H_REDIS_STREAM_MAXLEN`.
 */
export function redisSinkOptionsFromEnv(
  env: Readonly<Record<string, string | undefined>>,
  session: string,
): RedisSinkOptions {
  const maxLen = env['L2H_REDIS_STREAM_MAXLEN'];
  let streamMaxLen: number | undefined;
  if (maxLen !== undefined && maxLen !== '') {
    streamMaxLen = Number(maxLen);
    if (!Number.isInteger(streamMaxLen) || streamMaxLen <= 0) {
      throw usageError(`L2H_REDIS_STREAM_MAXLEN must be a positive integer, got ${JSON.stringify(maxLen)}`);
    }
  }
  return {
    url: env['L2H_REDIS_URL'] || env['REDIS_URL'] || REDIS_SINK_DEFAULTS.url,
    session,
    keyPrefix: env['L2H_REDIS_PREFIX'] || undefined,
    streamMaxLen,
  };
}
