/**
 * What the Redis sink left in Redis, read back for verification: the latest keys, each stream's
 * newest entries, the sessions' epochs, and the server's stream node size (how far past MAXLEN
 * an approximate trim may leave a stream). Reads only; never writes.
 *
 * The key layout is written out here again rather than imported from the collector: the verifier
 * checks what the README promises, so a change on the collector's side that breaks the promise
 * shows up as a failed check instead of moving both sides at once.
 */
import { Redis } from 'ioredis';
import type { RecordKind } from '../../../collector/records/types.js';

export interface StreamEntryView {
  readonly id: string;
  readonly epochMs: number | null;
  readonly seq: number | null;
  readonly symbol: string | null;
  readonly json: string | null;
}

export interface RedisReader {
  latest(kind: RecordKind, symbol: string): Promise<string | null>;
  /** Symbols with a latest key of `kind` (SCAN, never KEYS). */
  latestSymbols(kind: RecordKind): Promise<string[]>;
  streamLength(kind: RecordKind): Promise<number>;
  /** The newest `count` entries at most, newest first. */
  newestEntries(kind: RecordKind, count: number): Promise<StreamEntryView[]>;
  /** session → epoch ms. */
  sessions(): Promise<Map<string, number>>;
  /** `stream-node-max-entries` (0 when unlimited by count or unreadable as a number). */
  streamNodeMaxEntries(): Promise<number>;
  close(): void;
}

const PAGE = 1000;

export async function openRedisReader(url: string, keyPrefix: string): Promise<RedisReader> {
  const redis = new Redis(url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    connectTimeout: 5000,
    commandTimeout: 30_000,
    retryStrategy: () => null,
  });
  redis.on('error', () => {});
  await redis.connect();
  const latestKey = (kind: RecordKind, symbol: string) => `${keyPrefix}latest:${kind}:${symbol}`;
  const streamKey = (kind: RecordKind) => `${keyPrefix}stream:${kind}`;
  return {
    latest: (kind, symbol) => redis.get(latestKey(kind, symbol)),
    async latestSymbols(kind) {
      const head = latestKey(kind, '');
      const out: string[] = [];
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${escapeGlob(head)}*`, 'COUNT', 1000);
        cursor = next;
        for (const k of keys) out.push(k.slice(head.length));
      } while (cursor !== '0');
      return [...new Set(out)].sort();
    },
    streamLength: (kind) => redis.xlen(streamKey(kind)),
    async newestEntries(kind, count) {
      const out: StreamEntryView[] = [];
      let end = '+';
      while (out.length < count) {
        const page = await redis.xrevrange(
          streamKey(kind),
          end,
          '-',
          'COUNT',
          Math.min(PAGE, count - out.length),
        );
        if (page.length === 0) break;
        for (const [id, fields] of page) out.push(entryView(id, fields));
        end = `(${page[page.length - 1]![0]}`;
      }
      return out;
    },
    async sessions() {
      const raw = await redis.hgetall(`${keyPrefix}sessions`);
      return new Map(Object.entries(raw).map(([s, e]) => [s, Number(e)]));
    },
    async streamNodeMaxEntries() {
      try {
        const reply = (await redis.config('GET', 'stream-node-max-entries')) as unknown;
        const value = Array.isArray(reply) ? Number(reply[1]) : Number.NaN;
        return Number.isFinite(value) ? value : 100;
      } catch {
        // CONFIG may be renamed or refused on a managed Redis: the server default then.
        return 100;
      }
    },
    close: () => redis.disconnect(),
  };
}

function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, (c) => `\\${c}`);
}

function entryView(id: string, fields: readonly string[]): StreamEntryView {
  const m = /^(\d+)-(\d+)$/.exec(id);
  let symbol: string | null = null;
  let json: string | null = null;
  for (let i = 0; i + 1 < fields.length; i += 2) {
    if (fields[i] === 'symbol') symbol = fields[i + 1]!;
    else if (fields[i] === 'json') json = fields[i + 1]!;
  }
  return { id, epochMs: m ? Number(m[1]) : null, seq: m ? Number(m[2]) : null, symbol, json };
}
