import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import type { RecordEnvelope } from '../../../../collector/records/types.js';
import { RedisSink, type RedisSinkOptions } from '../../../../collector/sinks/redis/index.js';
import { systemClock } from '../../../../common/clock.js';
import { L2hError } from '../../../../common/errors.js';
import { pollUntil } from '../../../../services/shared/poll.js';
import { type OwnRedis, ownRedis } from './own-redis.js';
import { l1, l2, mixedRecords, tick } from './records.js';

const shared = inject('services').redis;
const SYMBOLS = ['AAPL', 'MSFT', '@ESZ24'];

let client: Redis;
const sinks: RedisSink[] = [];

beforeAll(async () => {
  client = new Redis(shared.url, { lazyConnect: true, maxRetriesPerRequest: 0 });
  await client.connect();
});
afterAll(() => client.disconnect());
afterEach(async () => {
  await Promise.all(sinks.splice(0).map((s) => s.close()));
});

/** A sink on the shared Redis under a prefix of its own, so tests never see each other's keys. */
async function openSink(
  options: Partial<RedisSinkOptions> & { session: string },
  url = shared.url,
): Promise<RedisSink> {
  const sink = new RedisSink({
    url,
    keyPrefix: options.keyPrefix ?? `t-${randomUUID().slice(0, 8)}:`,
    ...options,
  });
  sinks.push(sink);
  await sink.open();
  return sink;
}

function lastPer(records: readonly RecordEnvelope[]): Map<string, RecordEnvelope> {
  const out = new Map<string, RecordEnvelope>();
  for (const r of records) out.set(`${r.kind}:${r.symbol}`, r);
  return out;
}

async function streamIds(r: Redis, key: string): Promise<string[]> {
  return (await r.xrange(key, '-', '+')).map(([id]) => id);
}

describe(`RedisSink on ${shared.source} Redis ${shared.version}`, () => {
  it('keeps the last record per kind and symbol, and one stream entry per record with ID <epoch>-<seq>', async () => {
    const session = randomUUID();
    const sink = await openSink({ session });
    const records = mixedRecords(session, 1, 400, SYMBOLS);
    await sink.write(records.slice(0, 250));
    await sink.write(records.slice(250));

    const k = sink.keys;
    for (const [key, r] of lastPer(records)) {
      expect(await client.get(k.latest(r.kind, r.symbol)), key).toBe(r.json);
    }
    const epoch = sink.stats().epochMs!;
    expect(await client.hget(k.sessions, session)).toBe(String(epoch));
    for (const kind of ['l2', 'l1', 'ticks', 'gaps'] as const) {
      const mine = records.filter((r) => r.kind === kind);
      const entries = await client.xrange(k.stream(kind), '-', '+');
      expect(entries.map(([id]) => id)).toEqual(mine.map((r) => `${epoch}-${r.seq}`));
      expect(entries.map(([, f]) => f)).toEqual(mine.map((r) => ['symbol', r.symbol, 'json', r.json]));
    }
    expect((await client.smembers(k.symbols)).sort()).toEqual([...SYMBOLS].sort());
    expect(await client.hget(k.meta, 'seq')).toBe('400');
    expect(sink.stats()).toMatchObject({ records: 400, streamAdded: 400, streamRejected: 0 });
  });

  it('refuses a re-delivered batch in the streams, counts it, and leaves the latest state as it was', async () => {
    const session = randomUUID();
    const sink = await openSink({ session });
    const records = mixedRecords(session, 1, 300, SYMBOLS);
    await sink.write(records);
    const before = await streamIds(client, sink.keys.stream('l2'));

    await sink.write(records.slice(100, 200));
    expect(await streamIds(client, sink.keys.stream('l2'))).toEqual(before);
    expect(sink.stats().streamRejected).toBe(100);
    expect(sink.stats().latestStale).toBeGreaterThan(0);
    for (const [, r] of lastPer(records))
      expect(await client.get(sink.keys.latest(r.kind, r.symbol))).toBe(r.json);
    expect(await client.hget(sink.keys.meta, 'seq')).toBe('300');
  });

  it('moves a latest key only forward: an older record arriving later does not replace a newer one', async () => {
    const session = randomUUID();
    const sink = await openSink({ session });
    await sink.write([l2(session, 'AAPL', 50, 10, 10.5), l1(session, 'AAPL', 51, 10, 10.4)]);
    // Another writer (a stale collector of the same session) gets an old record in: it must lose.
    const other = await openSink({ session, keyPrefix: sink.keys.prefix });
    await other.write([l2(session, 'AAPL', 20, 9, 9.5)]);
    expect(await client.get(sink.keys.latest('l2', 'AAPL'))).toBe(l2(session, 'AAPL', 50, 10, 10.5).json);
    expect(other.stats()).toMatchObject({ latestWritten: 0, latestStale: 1, streamRejected: 1 });
    // And a newer one wins.
    await other.write([l2(session, 'AAPL', 60, 11, 11.5)]);
    expect(await client.get(sink.keys.latest('l2', 'AAPL'))).toBe(l2(session, 'AAPL', 60, 11, 11.5).json);
  });

  it("orders sessions by epoch: a new session's records follow the old one's in the streams and replace its latest state", async () => {
    const prefix = `t-${randomUUID().slice(0, 8)}:`;
    const first = randomUUID();
    const a = await openSink({ session: first, keyPrefix: prefix });
    await a.write([l2(first, 'AAPL', 900, 10, 10.5), tick(first, 'AAPL', 901, 10.2)]);
    const second = randomUUID();
    const b = await openSink({ session: second, keyPrefix: prefix });
    await b.write([l2(second, 'AAPL', 3, 12, 12.5)]);
    expect(b.stats().epochMs!).toBeGreaterThan(a.stats().epochMs!);
    expect(await client.get(`${prefix}latest:l2:AAPL`)).toBe(l2(second, 'AAPL', 3, 12, 12.5).json);
    expect(await streamIds(client, `${prefix}stream:l2`)).toEqual([
      `${a.stats().epochMs}-900`,
      `${b.stats().epochMs}-3`,
    ]);
    // The old session writing late (a catch-up) cannot put its older book back.
    await a.write([l2(first, 'AAPL', 950, 9, 9.5)]);
    expect(await client.get(`${prefix}latest:l2:AAPL`)).toBe(l2(second, 'AAPL', 3, 12, 12.5).json);
    expect(a.stats().streamRejected).toBe(1);
  });

  it('keeps each stream near N with MAXLEN ~ N', async () => {
    const session = randomUUID();
    const sink = await openSink({ session, streamMaxLen: 200 });
    const records = mixedRecords(session, 1, 6000, SYMBOLS);
    for (let i = 0; i < records.length; i += 500) await sink.write(records.slice(i, i + 500));
    const len = await client.xlen(sink.keys.stream('l2'));
    expect(len).toBeGreaterThanOrEqual(200);
    expect(len).toBeLessThanOrEqual(300);
    const newest = await client.xrevrange(sink.keys.stream('l2'), '+', '-', 'COUNT', 1);
    expect(newest[0]![0]).toBe(
      `${sink.stats().epochMs}-${records.filter((r) => r.kind === 'l2').at(-1)!.seq}`,
    );
  });
});

describe('RedisSink when Redis goes away', () => {
  let own: OwnRedis;
  beforeAll(async () => {
    own = await ownRedis();
  });
  afterAll(() => own.dispose());

  it('opens while Redis is down, rejects writes retriably and quickly, then writes once it is up', async () => {
    const session = randomUUID();
    const sink = await openSink({ session, connectTimeoutMs: 500 }, own.url);
    const batch = mixedRecords(session, 1, 50, SYMBOLS);
    const started = Date.now();
    const err = await sink.write(batch).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(L2hError);
    expect((err as L2hError).retriable).toBe(true);
    expect((err as L2hError).code).toBe('SERVICE_UNAVAILABLE');
    expect(Date.now() - started).toBeLessThan(2000);

    await own.start();
    await pollUntil(() => sink.write(batch).then(() => true), {
      clock: systemClock,
      timeoutMs: 10_000,
      intervalMs: 100,
      what: 'the sink to write once Redis is up',
    });
    const r = new Redis(own.url);
    try {
      expect(await r.xlen(sink.keys.stream('l2'))).toBe(batch.filter((x) => x.kind === 'l2').length);
    } finally {
      r.disconnect();
      await own.kill();
    }
  });

  it('after Redis restarts empty, rebuilds every latest key and each stream tail from memory, then carries on', async () => {
    await own.start();
    const session = randomUUID();
    const sink = await openSink({ session, streamMaxLen: 100 }, own.url);
    const before = mixedRecords(session, 1, 600, SYMBOLS);
    await sink.write(before);
    // Only one symbol trades after the restart: the others' state must come from memory.
    const after = mixedRecords(session, 601, 60, ['AAPL']);

    await own.kill();
    await expect(sink.write(after)).rejects.toMatchObject({ retriable: true });
    await own.start();
    await pollUntil(() => sink.write(after).then(() => true), {
      clock: systemClock,
      timeoutMs: 15_000,
      intervalMs: 100,
      what: 'the sink to write after Redis came back',
    });

    const r = new Redis(own.url);
    try {
      const all = [...before, ...after];
      for (const [key, rec] of lastPer(all))
        expect(await r.get(sink.keys.latest(rec.kind, rec.symbol)), key).toBe(rec.json);
      const epoch = sink.stats().epochMs!;
      for (const kind of ['l2', 'l1', 'ticks', 'gaps'] as const) {
        const mine = all.filter((x) => x.kind === kind);
        const ids = await streamIds(r, sink.keys.stream(kind));
        // The newest min(N, total) are there, in order, ending with the last record.
        const tail = mine.slice(-Math.min(100, mine.length)).map((x) => `${epoch}-${x.seq}`);
        expect(ids.slice(-tail.length)).toEqual(tail);
        expect(ids.length).toBeLessThanOrEqual(mine.length);
      }
      expect(sink.stats().resyncs).toBeGreaterThanOrEqual(1);
      expect(sink.stats().refilled).toBeGreaterThan(0);
      expect(await r.hget(sink.keys.sessions, session)).toBe(String(sink.stats().epochMs));
    } finally {
      r.disconnect();
    }
  });
});
