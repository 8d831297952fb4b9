/**
 * The Redis sink inside the real collector pipeline (simulator → feed → journal → deriver →
 * runners → JSONL + Redis), with Redis killed mid-run and restarted empty, then the `redis`
 * checks of harness/verify against the reference derived from the journal.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_L1_FIELDS } from '../../../../collector/feed/index.js';
import { startCollector } from '../../../../collector/pipeline/index.js';
import { RedisSink } from '../../../../collector/sinks/redis/index.js';
import { createSink } from '../../../../collector/sinks/registry.js';
import { systemClock } from '../../../../common/clock.js';
import { buildExpectedIndex } from '../../../../harness/verify/expected-index.js';
import { redisChecks } from '../../../../harness/verify/sinks/redis-check.js';
import { pollUntil } from '../../../../services/shared/poll.js';
import { startSimulator } from '../../../../simulator/index.js';
import { type OwnRedis, ownRedis } from './own-redis.js';

const SYMBOLS = ['AAPL', 'MSFT', 'IBM'];
const MAXLEN = 200;
const T = '09:30:00.000100,2024-06-21,';

function quote(symbol: string, bid: number, tick: number, trade: boolean): string {
  return `Q,${symbol},${bid.toFixed(2)},100,09:30:00.000100,11,${5000 + tick},${bid.toFixed(2)},300,${(bid + 0.05).toFixed(2)},700,1,2,0.5,1,${trade ? 'C' : 'b'},01,${tick},09:30:00.000100,09:30:00.000100,06/21/2024,`;
}

/** Three by-price books moving, quotes and trades, and an IQConnect server disconnect half way. */
function tape(lines: number): string {
  const body: string[] = [`0\tL1\tS,CURRENT UPDATE FIELDNAMES,${DEFAULT_L1_FIELDS.join(',')}`];
  for (const [i, s] of SYMBOLS.entries()) {
    body.push(`0\tL2\t7,${s},B,${100 + i}.0000,100,1,4,${T}`, `0\tL2\t7,${s},A,${100 + i}.0500,100,1,4,${T}`);
  }
  for (let i = 1; i <= lines; i++) {
    const s = SYMBOLS[i % 3]!;
    const base = 100 + (i % 3);
    const us = i * 1000;
    if (i === Math.floor(lines / 2)) {
      body.push(`${us}\tL2\tS,SERVER DISCONNECTED`, `${us + 100}\tL2\tS,SERVER CONNECTED`);
      continue;
    }
    if (i % 7 === 0) body.push(`${us}\tL1\t${quote(s, base + (i % 20) / 100, i, i % 14 === 0)}`);
    else
      body.push(
        `${us}\tL2\t8,${s},${i % 2 ? 'B' : 'A'},${(base - (i % 2 ? 0.01 : -0.06) * (1 + (i % 5))).toFixed(4)},${i},1,4,${T}`,
      );
  }
  return `#l2tape 1\n#symbols ${SYMBOLS.join(',')}\n#l2 mbp\n#date 2024-06-21\n${body.join('\n')}\n`;
}

let dir: string;
let redis: OwnRedis;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'l2h-redis-collector-'));
  redis = await ownRedis();
  await redis.start();
});
afterAll(async () => {
  await redis.dispose();
  await rm(dir, { recursive: true, force: true });
});

describe('the collector with --sinks jsonl,redis', () => {
  it('goes on while Redis is down, rebuilds Redis when it returns, and ends with Redis equal to the reference and JSONL', async () => {
    const tapePath = join(dir, 'day.tape');
    await writeFile(tapePath, tape(3000), 'latin1');
    const sim = await startSimulator({
      tape: tapePath,
      ports: { L1: 0, L2: 0, ADMIN: 0 },
      start: 'all-watched',
      rate: 1500,
    });
    const prefix = `coll-${randomUUID().slice(0, 8)}:`;
    let sink: RedisSink | null = null;
    const dataDir = join(dir, 'data');
    const collector = await startCollector({
      symbols: SYMBOLS,
      ports: sim.ports,
      sinks: ['jsonl', 'redis'],
      dataDir,
      journalDir: join(dir, 'journal'),
      runner: { batchSize: 200 },
      createSink: (name, ctx) => {
        if (name !== 'redis') return createSink(name, ctx);
        sink = new RedisSink(
          { url: redis.url, session: ctx.session, keyPrefix: prefix, streamMaxLen: MAXLEN },
          { clock: ctx.clock, logger: ctx.logger },
        );
        return sink;
      },
    });
    try {
      const runner = collector.runners.find((r) => r.name === 'redis')!;
      const poll = { clock: systemClock, timeoutMs: 30_000, intervalMs: 25 };
      await pollUntil(async () => (runner.status().written > 300 ? true : undefined), {
        ...poll,
        what: 'Redis to get records',
      });

      await redis.kill();
      await pollUntil(async () => (runner.status().mode === 'retrying' ? true : undefined), {
        ...poll,
        what: 'the Redis runner to retry',
      });
      const journalAtOutage = collector.status().journal.headSeq;
      await pollUntil(
        async () => (collector.status().journal.headSeq > journalAtOutage + 200 ? true : undefined),
        {
          ...poll,
          what: 'the collector to journal on while Redis is down',
        },
      );
      expect(collector.status().sinks.find((s) => s.name === 'jsonl')!.mode).toBe('live');

      await redis.start();
      await sim.tapeEnd;
      await pollUntil(
        async () => {
          const s = collector.status();
          return s.sinks.every((k) => k.mode === 'live' && k.lag === 0) ? true : undefined;
        },
        { ...poll, what: 'both sinks to catch up after the outage' },
      );
      const result = await collector.stop();
      expect(result.sinksDrained).toBe(true);
      const stats = (sink as RedisSink | null)!.stats();
      expect(stats.resyncs).toBeGreaterThanOrEqual(1);

      const expected = await buildExpectedIndex({
        journalDir: collector.sessionDir,
        session: collector.session,
        journalLines: result.status.journal.headSeq,
        symbols: SYMBOLS,
        depth: 10,
      });
      expect(expected.counts['gaps/AAPL']).toBeGreaterThan(0);
      const checks = await redisChecks({
        url: redis.url,
        keyPrefix: prefix,
        streamMaxLen: MAXLEN,
        expectedLast: expected.last,
        jsonlDir: dataDir,
      });
      const failed = checks.filter((c) => !c.pass);
      expect(failed, JSON.stringify(failed, null, 2)).toEqual([]);
      expect(checks).toHaveLength(8);
      // Not vacuous: every symbol's book, quote and trade compared, and full streams.
      const byId = new Map(checks.map((c) => [c.id, c.evidence.counts ?? {}]));
      for (const kind of ['l2', 'l1', 'ticks'])
        expect(byId.get(`redis.latest-${kind}`)).toMatchObject({ expected: 3, matched: 3 });
      for (const kind of ['l2', 'l1'])
        expect(byId.get(`redis.stream-${kind}`)!['matched']).toBeGreaterThanOrEqual(MAXLEN);
    } finally {
      await collector.stop();
      await sim.stop();
    }
  });
});
