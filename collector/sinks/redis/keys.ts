/**
 * The Redis key layout (README.md beside this file): one prefix, then what the key holds.
 *
 *   <prefix>latest:<kind>:<SYMBOL>  string  the record JSON of the symbol's latest record of that kind
 *   <prefix>stream:<kind>           stream  recent records of every symbol, ID `<epoch ms>-<seq>`,
 *                                           fields `symbol` and `json`, trimmed with MAXLEN ~ N
 *   <prefix>sessions                hash    collector session → its epoch ms (the IDs' first part)
 *   <prefix>symbols                 set     every symbol written under this prefix
 *   <prefix>meta                    hash    the writer's session, last seq and time of its last batch
 *
 * The symbol comes last in a key so a symbol holding `:` cannot be mistaken for a layout part.
 */
import { usageError } from '../../../common/errors.js';
import { RECORD_KINDS, type RecordKind } from '../../records/types.js';

export const DEFAULT_KEY_PREFIX = 'l2h:';

export interface RedisKeys {
  readonly prefix: string;
  latest(kind: RecordKind, symbol: string): string;
  stream(kind: RecordKind): string;
  readonly sessions: string;
  readonly symbols: string;
  readonly meta: string;
  /** `<prefix>latest:<kind>:` — what a SCAN for one kind's latest keys matches. */
  latestPattern(kind: RecordKind): string;
}

/** Printable, no spaces, no glob characters: a prefix ends up in SCAN patterns and redis-cli lines. */
const PREFIX_OK = /^[!-~]{0,64}$/;
const GLOB = /[*?[\]\\]/;

export function redisKeys(prefix: string = DEFAULT_KEY_PREFIX): RedisKeys {
  if (!PREFIX_OK.test(prefix) || GLOB.test(prefix)) {
    throw usageError(
      `Redis key prefix ${JSON.stringify(prefix)} is not usable: printable ASCII without spaces or * ? [ ] \\, at most 64 characters`,
      'e.g. --redis-prefix l2h: (the default) or prod:l2h:',
    );
  }
  return {
    prefix,
    latest: (kind, symbol) => `${prefix}latest:${kind}:${symbol}`,
    stream: (kind) => `${prefix}stream:${kind}`,
    sessions: `${prefix}sessions`,
    symbols: `${prefix}symbols`,
    meta: `${prefix}meta`,
    latestPattern: (kind) => `${prefix}latest:${kind}:*`,
  };
}

/** `<prefix>latest:<kind>:<SYMBOL>` → its kind and symbol; null for any other key. */
export function parseLatestKey(keys: RedisKeys, key: string): { kind: RecordKind; symbol: string } | null {
  const head = `${keys.prefix}latest:`;
  if (!key.startsWith(head)) return null;
  const rest = key.slice(head.length);
  const colon = rest.indexOf(':');
  if (colon <= 0) return null;
  const kind = RECORD_KINDS.find((k) => k === rest.slice(0, colon));
  const symbol = rest.slice(colon + 1);
  return kind === undefined || symbol === '' ? null : { kind, symbol };
}

/** A stream entry ID: the session's epoch ms, then the record's seq. Redis orders IDs by both. */
export function streamId(epochMs: number, seq: number): string {
  return `${epochMs}-${seq}`;
}

export function parseStreamId(id: string): { epochMs: number; seq: number } | null {
  const m = /^(\d+)-(\d+)$/.exec(id);
  if (m === null) return null;
  return { epochMs: Number(m[1]), seq: Number(m[2]) };
}
