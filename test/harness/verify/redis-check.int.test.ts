import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import type { RecordEnvelope } from '../../../collector/records/types.js';
import { JsonlSink } from '../../../collector/sinks/jsonl/jsonl-sink.js';
import { RedisSink } from '../../../collector/sinks/redis/index.js';
import type { Check } from '../../../harness/results/types.js';
import { redisChecks } from '../../../harness/verify/sinks/redis-check.js';
import { l2, mixedRecords } from '../../collector/sinks/redis/records.js';

const shared = inject('services').redis;
const SYMBOLS = ['AAPL', 'MSFT', 'IBM'];
const MAXLEN = 50;

let client: Redis;
const dirs: string[] = [];

beforeAll(async () => {
  client = new Redis(shared.url, { lazyConnect: true, maxRetriesPerRequest: 0 });
  await client.connect();
});
afterAll(async () => {
  client.disconnect();
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

interface Written {
  readonly prefix: string;
  readonly jsonlDir: string;
  readonly session: string;
  readonly epoch: number;
  readonly records: readonly RecordEnvelope[];
  readonly expectedLast: Map<string, Record<string, unknown>>;
}

/** The same records through the real JSONL and Redis sinks, and the reference's "last" map. */
async function writeBoth(count: number): Promise<Written> {
  const session = randomUUID();
  const prefix = `chk-${randomUUID().slice(0, 8)}:`;
  const jsonlDir = await mkdtemp(join(tmpdir(), 'l2h-redis-check-'));
  dirs.push(jsonlDir);
  const records = mixedRecords(session, 1, count, SYMBOLS);
  const jsonl = new JsonlSink({ dataDir: jsonlDir, session });
  const redis = new RedisSink({ url: shared.url, session, keyPrefix: prefix, streamMaxLen: MAXLEN });
  await Promise.all([jsonl.open(), redis.open()]);
  for (let i = 0; i < records.length; i += 97) {
    const batch = records.slice(i, i + 97);
    await Promise.all([jsonl.write(batch), redis.write(batch)]);
  }
  const epoch = redis.stats().epochMs!;
  await Promise.all([jsonl.close(), redis.close()]);
  const expectedLast = new Map<string, Record<string, unknown>>();
  for (const r of records)
    expectedLast.set(`${r.kind}/${r.symbol}`, JSON.parse(r.json) as Record<string, unknown>);
  return { prefix, jsonlDir, session, epoch, records, expectedLast };
}

function run(w: Written, expectedLast = w.expectedLast): Promise<Check[]> {
  return redisChecks({
    url: shared.url,
    keyPrefix: w.prefix,
    streamMaxLen: MAXLEN,
    expectedLast,
    jsonlDir: w.jsonlDir,
  });
}

function byId(checks: readonly Check[]): Map<string, Check> {
  return new Map(checks.map((c) => [c.id, c]));
}

function failing(checks: readonly Check[]): string[] {
  return checks.filter((c) => !c.pass).map((c) => c.id);
}

describe('redisChecks', () => {
  let w: Written;
  beforeAll(async () => {
    w = await writeBoth(1000);
  });
  afterEach(async () => {
    // Each test tampers with a copy: rebuild the state before the next.
    w = await writeBoth(1000);
  });

  it('passes on what the sinks wrote, with measured counts', async () => {
    const checks = await run(w);
    expect(checks.map((c) => c.id)).toEqual([
      'redis.latest-l2',
      'redis.latest-l1',
      'redis.latest-ticks',
      'redis.latest-gaps',
      'redis.stream-l2',
      'redis.stream-l1',
      'redis.stream-ticks',
      'redis.stream-gaps',
    ]);
    expect(failing(checks)).toEqual([]);
    const latest = byId(checks).get('redis.latest-l2')!;
    expect(latest.evidence.counts).toMatchObject({ expected: 3, matched: 3 });
    const stream = byId(checks).get('redis.stream-l2')!;
    expect(stream.evidence.counts).toMatchObject({ jsonlRecords: 600, missing: 0, unexpected: 0 });
    expect(stream.evidence.counts!['matched']).toBeGreaterThanOrEqual(MAXLEN);
  });

  it('fails redis.latest-l2 on a stale latest key, naming the key and both seqs', async () => {
    const lastAapl = w.records.filter((r) => r.kind === 'l2' && r.symbol === 'AAPL').at(-1)!;
    const older = l2(w.session, 'AAPL', lastAapl.seq - 30, 1, 2);
    await client.set(`${w.prefix}latest:l2:AAPL`, older.json);
    const checks = await run(w);
    expect(failing(checks)).toEqual(['redis.latest-l2']);
    const c = byId(checks).get('redis.latest-l2')!;
    expect(c.evidence.counts).toMatchObject({ stale: 1, matched: 2 });
    expect(c.evidence.differences![0]).toEqual({
      where: 'latest:l2:AAPL .seq',
      expected: String(lastAapl.seq),
      actual: String(lastAapl.seq - 30),
    });
  });

  it('fails redis.latest-l2 when the book differs from the reference at the same seq', async () => {
    const ref = new Map(w.expectedLast);
    const msft = { ...ref.get('l2/MSFT')!, total_bid_size: 1 };
    ref.set('l2/MSFT', msft);
    const checks = await run(w, ref);
    expect(failing(checks)).toEqual(['redis.latest-l2']);
    const c = byId(checks).get('redis.latest-l2')!;
    expect(c.evidence.counts).toMatchObject({ wrong: 1 });
    expect(c.evidence.differences![0]!.where).toBe('latest:l2:MSFT .total_bid_size');
  });

  it('fails redis.latest-l1 on a wrong seq (ahead of the last record)', async () => {
    const key = `${w.prefix}latest:l1:IBM`;
    const current = (await client.get(key))!;
    const seq = Number(/"seq":(\d+)}$/.exec(current)![1]);
    await client.set(key, current.replace(/"seq":\d+}$/, `"seq":${seq + 1}}`));
    const checks = await run(w);
    expect(failing(checks)).toEqual(['redis.latest-l1']);
    expect(byId(checks).get('redis.latest-l1')!.evidence.counts).toMatchObject({ ahead: 1 });
  });

  it('fails redis.latest-ticks on a missing key and on a key for a symbol that has no trade', async () => {
    await client.del(`${w.prefix}latest:ticks:MSFT`);
    await client.set(`${w.prefix}latest:ticks:ZZZZ`, '{}');
    const checks = await run(w);
    expect(failing(checks)).toEqual(['redis.latest-ticks']);
    expect(byId(checks).get('redis.latest-ticks')!.evidence.counts).toMatchObject({
      missing: 1,
      unexpected: 1,
    });
  });

  it('fails redis.stream-l2 on a missing stream entry, naming its ID and JSONL line', async () => {
    const l2s = w.records.filter((r) => r.kind === 'l2');
    const victim = l2s[l2s.length - 10]!;
    expect(await client.xdel(`${w.prefix}stream:l2`, `${w.epoch}-${victim.seq}`)).toBe(1);
    const checks = await run(w);
    expect(failing(checks)).toEqual(['redis.stream-l2']);
    const c = byId(checks).get('redis.stream-l2')!;
    expect(c.evidence.counts).toMatchObject({ missing: 1, wrong: 0, unexpected: 0 });
    expect(c.evidence.differences![0]!.where).toMatch(
      new RegExp(`^stream:l2 ${w.epoch}-${victim.seq} \\(${victim.symbol}_l2_20240621\\.jsonl:\\d+\\)$`),
    );
  });

  it('fails redis.stream-gaps when an entry carries another seq than its ID', async () => {
    const key = `${w.prefix}stream:gaps`;
    const entries = await client.xrange(key, '-', '+');
    await client.del(key);
    for (const [i, [id, fields]] of entries.entries()) {
      const json = i === entries.length - 1 ? fields[3]!.replace(/"seq":(\d+)}$/, '"seq":1}') : fields[3]!;
      await client.xadd(key, id, 'symbol', fields[1]!, 'json', json);
    }
    const checks = await run(w);
    expect(failing(checks)).toEqual(['redis.stream-gaps']);
    const c = byId(checks).get('redis.stream-gaps')!;
    expect(c.evidence.counts).toMatchObject({ wrong: 1, missing: 0 });
    expect(c.evidence.differences![0]!.where).toMatch(/ \.seq$/);
  });

  it('fails redis.stream-ticks when the stream holds fewer than N records (trimmed too far)', async () => {
    await client.xtrim(`${w.prefix}stream:ticks`, 'MAXLEN', MAXLEN - 5);
    const checks = await run(w);
    expect(failing(checks)).toEqual(['redis.stream-ticks']);
    expect(byId(checks).get('redis.stream-ticks')!.evidence.counts).toMatchObject({
      missing: 5,
      streamLength: MAXLEN - 5,
    });
  });

  it('reports Redis unreachable as one failed check', async () => {
    const checks = await redisChecks({
      url: 'redis://127.0.0.1:1',
      keyPrefix: w.prefix,
      streamMaxLen: MAXLEN,
      expectedLast: w.expectedLast,
      jsonlDir: w.jsonlDir,
    });
    expect(checks).toHaveLength(1);
    expect(checks[0]).toMatchObject({ id: 'redis.reachable', pass: false });
  });
});
