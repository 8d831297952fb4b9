import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import type { RecordEnvelope, RecordKind } from '../../collector/records/types.js';
import { JsonlSink } from '../../collector/sinks/jsonl/jsonl-sink.js';
import { RedisSink } from '../../collector/sinks/redis/redis-sink.js';
import { LATEST_SCRIPT } from '../../collector/sinks/redis/scripts.js';
import { silentLogger } from '../../common/logger.js';
import { provisionRedis } from '../../services/index.js';
import { type BenchRecord, envelopesFromJsonl } from '../envelopes.js';
import { type BenchFigure, figure } from '../figure.js';
import type { BenchContext, BenchSuite } from '../suite.js';

/**
 * Sink throughput with Redis enabled beside JSONL alone, in the same run on the same records
 * (8 symbols; 80 % L2 books of 10 levels a side, 15 % quotes, 5 % trades), batches of 2000 as
 * the runner hands them:
 * - `jsonl alone`: the JSONL sink (fdatasync per batch);
 * - `jsonl + redis`: both sinks writing each batch side by side, as their runners do — the
 *   figure the collector feels; its baseline is `jsonl alone`;
 * - `redis alone`: the Redis sink's pipeline (latest-state script + XADD per record).
 * And the latest-state guard: keys/s for the Lua compare-and-set against a plain pipelined SET
 * (no guard) and WATCH/MULTI per key (a round trip per key), on the same keys.
 * Redis comes from services/redis (REDIS_URL → container → local redis-server).
 */

const SYMBOLS = ['AAPL', 'MSFT', 'IBM', 'SPY', 'QQQ', 'TSLA', 'NVDA', 'AMZN'];
const BATCH = 2000;

function levels(mid: number, side: 1 | -1): string {
  const out: string[] = [];
  for (let i = 0; i < 10; i++)
    out.push(
      `{"price":${(mid + side * (0.01 + i * 0.01)).toFixed(2)},"size":${100 + i * 7},"level":${i + 1}}`,
    );
  return `[${out.join(',')}]`;
}

function records(session: string, count: number): RecordEnvelope[] {
  const out: BenchRecord[] = [];
  for (let seq = 1; seq <= count; seq++) {
    const symbol = SYMBOLS[seq % SYMBOLS.length]!;
    const mid = 100 + (seq % 97) / 10;
    const r = seq % 20;
    const kind: RecordKind = r < 16 ? 'l2' : r < 19 ? 'l1' : 'ticks';
    const tail = `,"session":"${session}","seq":${seq}}`;
    const ts = '2024-06-21T09:30:00.000100';
    const json =
      kind === 'l2'
        ? `{"symbol":"${symbol}","timestamp":"${ts}","bids":${levels(mid, -1)},"asks":${levels(mid, 1)},"total_bid_size":1315,"total_ask_size":1315,"spread":0.02,"mid_price":${mid.toFixed(2)}${tail}`
        : kind === 'l1'
          ? `{"symbol":"${symbol}","timestamp":"${ts}","bid":${(mid - 0.01).toFixed(2)},"bid_size":3,"ask":${(mid + 0.01).toFixed(2)},"ask_size":4,"spread":0.02,"mid_price":${mid.toFixed(2)}${tail}`
          : `{"symbol":"${symbol}","timestamp":"${ts}","price":${mid.toFixed(2)},"size":100,"conditions":"01","market_center":11,"total_volume":${seq},"tick_id":${seq}${tail}`;
    out.push({ kind, symbol, seq, day: '20240621', json });
  }
  return envelopesFromJsonl(out);
}

async function timeBatches(
  all: readonly RecordEnvelope[],
  write: (b: readonly RecordEnvelope[]) => Promise<unknown>,
): Promise<number> {
  const start = process.hrtime.bigint();
  for (let i = 0; i < all.length; i += BATCH) await write(all.slice(i, i + BATCH));
  return (all.length * 1e9) / Number(process.hrtime.bigint() - start);
}

async function bestOf(rounds: number, run: () => Promise<number>): Promise<number> {
  let best = 0;
  for (let i = 0; i < rounds; i++) best = Math.max(best, await run());
  return best;
}

async function deleteByPrefix(client: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) await client.del(...keys);
  } while (cursor !== '0');
}

export const redisSuite: BenchSuite = {
  name: 'redis',
  description: 'JSONL alone vs JSONL + Redis sink throughput; latest-state guard: Lua vs SET vs WATCH',
  async run(ctx: BenchContext): Promise<readonly BenchFigure[]> {
    const count = ctx.quick ? 20_000 : 200_000;
    const rounds = ctx.quick ? 1 : 3;
    const redisHandle = await provisionRedis({}, { logger: silentLogger });
    ctx.log(`redis: ${redisHandle.describe()}`);
    const dirs: string[] = [];
    const fresh = () => {
      const d = mkdtempSync(join(tmpdir(), 'l2h-bench-redis-'));
      dirs.push(d);
      return d;
    };
    const client = new Redis(redisHandle.url);
    // Every key of this run under one prefix, deleted at the end: REDIS_URL may name a shared server.
    const base = `l2h-bench-${randomUUID().slice(0, 8)}:`;
    try {
      // Each round a new session, directory and key prefix: nothing is a re-delivery.
      const jsonlRound = async () => {
        const session = randomUUID();
        const all = records(session, count);
        const sink = new JsonlSink({ dataDir: fresh(), session, logger: silentLogger });
        await sink.open();
        const rate = await timeBatches(all, (b) => sink.write(b));
        await sink.close();
        return rate;
      };
      const redisSink = (session: string) =>
        new RedisSink({
          url: redisHandle.url,
          session,
          keyPrefix: `${base}${session.slice(0, 8)}:`,
          streamMaxLen: 10_000,
        });
      const bothRound = async () => {
        const session = randomUUID();
        const all = records(session, count);
        const jsonl = new JsonlSink({ dataDir: fresh(), session, logger: silentLogger });
        const redis = redisSink(session);
        await Promise.all([jsonl.open(), redis.open()]);
        const rate = await timeBatches(all, (b) => Promise.all([jsonl.write(b), redis.write(b)]));
        await Promise.all([jsonl.close(), redis.close()]);
        return rate;
      };
      const redisRound = async () => {
        const session = randomUUID();
        const all = records(session, count);
        const redis = redisSink(session);
        await redis.open();
        const rate = await timeBatches(all, (b) => redis.write(b));
        await redis.close();
        return rate;
      };
      ctx.log(`sinks: ${count} records, best of ${rounds}`);
      const jsonlAlone = await bestOf(rounds, jsonlRound);
      const both = await bestOf(rounds, bothRound);
      const redisAlone = await bestOf(rounds, redisRound);

      // Latest-state guard on the same keys: 2000 keys per round, each written `count / 2000` times.
      const keys = count / 10;
      const guardRecords = records(randomUUID(), keys);
      const sha = (await client.script('LOAD', LATEST_SCRIPT.lua)) as string;
      const lua = async () => {
        const p = `${base}g-${randomUUID().slice(0, 6)}:`;
        const start = process.hrtime.bigint();
        for (let i = 0; i < guardRecords.length; i += 500) {
          const chunk = guardRecords.slice(i, i + 500);
          const args = [
            `${p}sessions`,
            ...chunk.map((r) => `${p}k${r.seq % 2000}`),
            chunk[0]!.record.session,
            '1',
          ];
          for (const r of chunk) args.push(String(r.seq), r.json);
          await client.evalsha(sha, chunk.length + 1, ...args);
        }
        return (guardRecords.length * 1e9) / Number(process.hrtime.bigint() - start);
      };
      const plain = async () => {
        const p = `${base}s-${randomUUID().slice(0, 6)}:`;
        const start = process.hrtime.bigint();
        for (let i = 0; i < guardRecords.length; i += 500) {
          const pipe = client.pipeline();
          for (const r of guardRecords.slice(i, i + 500)) pipe.set(`${p}k${r.seq % 2000}`, r.json);
          await pipe.exec();
        }
        return (guardRecords.length * 1e9) / Number(process.hrtime.bigint() - start);
      };
      const watch = async () => {
        const p = `${base}w-${randomUUID().slice(0, 6)}:`;
        const n = Math.min(guardRecords.length, 5000);
        const start = process.hrtime.bigint();
        for (const r of guardRecords.slice(0, n)) {
          const key = `${p}k${r.seq % 2000}`;
          await client.watch(key);
          const cur = await client.get(key);
          const seq = cur === null ? -1 : Number(/"seq":(\d+)}$/.exec(cur)?.[1] ?? -1);
          if (seq < r.seq) await client.multi().set(key, r.json).exec();
          else await client.unwatch();
        }
        return (n * 1e9) / Number(process.hrtime.bigint() - start);
      };
      const luaRate = await bestOf(rounds, lua);
      const plainRate = await bestOf(rounds, plain);
      const watchRate = await bestOf(rounds, watch);
      return [
        figure({ name: 'jsonl alone', value: jsonlAlone, unit: 'records/s' }),
        figure({
          name: 'jsonl + redis (side by side)',
          value: both,
          unit: 'records/s',
          baseline: { name: 'jsonl alone', value: jsonlAlone },
        }),
        figure({
          name: 'redis alone',
          value: redisAlone,
          unit: 'records/s',
          baseline: { name: 'jsonl alone', value: jsonlAlone },
        }),
        figure({
          name: 'latest guard: Lua compare-and-set',
          value: luaRate,
          unit: 'keys/s',
          baseline: { name: 'plain SET (no guard)', value: plainRate },
        }),
        figure({
          name: 'latest guard: WATCH/MULTI per key',
          value: watchRate,
          unit: 'keys/s',
          baseline: { name: 'plain SET (no guard)', value: plainRate },
        }),
      ];
    } finally {
      await deleteByPrefix(client, base).catch(() => undefined);
      client.disconnect();
      await redisHandle.stop();
      for (const d of dirs) rmSync(d, { recursive: true, force: true });
    }
  },
};
