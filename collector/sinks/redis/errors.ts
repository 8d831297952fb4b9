/**
 * ioredis errors → L2hError with `retriable` set the way the sink runner needs it: a Redis that is
 * away, loading or busy is retried (the runner backs off and sends the same batch again); a
 * refused login, a key of the wrong type or a read-only replica is a setup problem that no retry
 * cures, so it fails the sink with a hint.
 */
import { errorMessage, L2hError } from '../../../common/errors.js';
import { redactUrl } from '../../../common/logger.js';

/** Reply prefixes a retry can get past. */
const RETRIABLE_REPLIES = ['LOADING', 'BUSY', 'TRYAGAIN', 'CLUSTERDOWN', 'MASTERDOWN', 'NOSCRIPT', 'OOM'];

const HINTS: Readonly<Record<string, string>> = {
  NOAUTH: 'put the password in the URL: redis://:PASSWORD@host:port',
  WRONGPASS: 'check the user and password in the Redis URL',
  NOPERM: 'the Redis user needs GET, SET, EVALSHA, XADD, XREVRANGE, SADD, HSET on the key prefix',
  WRONGTYPE: 'another program uses keys under this prefix: pick another with L2H_REDIS_PREFIX',
  READONLY: 'the URL names a read-only replica: point the sink at the primary',
  OOM: 'Redis reached maxmemory: lower L2H_REDIS_STREAM_MAXLEN or raise maxmemory',
};

function replyCode(message: string): string {
  return /^([A-Z]+)\b/.exec(message)?.[1] ?? '';
}

/** True for an error that comes from a Redis reply (the server answered), not from the socket. */
export function isReplyError(err: unknown): boolean {
  return err instanceof Error && err.name === 'ReplyError';
}

export function redisError(err: unknown, what: string, url: string): L2hError {
  if (err instanceof L2hError) return err;
  const message = errorMessage(err);
  const code = isReplyError(err) ? replyCode(message) : '';
  const retriable = !isReplyError(err) || RETRIABLE_REPLIES.includes(code);
  return new L2hError(`Redis ${what} failed: ${message}`, {
    code: retriable ? 'SERVICE_UNAVAILABLE' : 'BAD_USAGE',
    retriable,
    cause: err,
    context: { url: redactUrl(url) },
    hint: HINTS[code] ?? (retriable ? 'the sink retries; records wait in the journal meanwhile' : undefined),
  });
}

export function redisUnavailable(url: string, state: string): L2hError {
  return new L2hError(`Redis is not connected (${state})`, {
    code: 'SERVICE_UNAVAILABLE',
    retriable: true,
    context: { url: redactUrl(url) },
    hint: 'the sink reconnects on its own; records wait in the journal meanwhile',
  });
}

/** The reply Redis gives an XADD whose ID is not above the stream's top: a re-delivered record. */
export function isNotNewerId(err: unknown): boolean {
  return isReplyError(err) && /equal or smaller than the target stream top item/.test(errorMessage(err));
}
