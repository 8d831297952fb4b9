import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from '@clickhouse/client';
import type { RecordEnvelope } from '../../collector/records/types.js';
import { ClickHouseSink } from '../../collector/sinks/clickhouse/clickhouse-sink.js';
import { JsonlSink } from '../../collector/sinks/jsonl/jsonl-sink.js';
import { type KafkaClientName, KafkaSink } from '../../collector/sinks/kafka/kafka-sink.js';
import type { Sink } from '../../collector/sinks/sink.js';
import { systemClock } from '../../common/clock.js';
import { createLogger } from '../../common/logger.js';
import { provisionServices } from '../../services/index.js';
import { type BenchRecord, envelopesFromJsonl } from '../envelopes.js';
import { type BenchFigure, figure } from '../figure.js';
import type { BenchContext, BenchSuite } from '../suite.js';

/**
 * Records per second through each sink's `write`, in batches of 10,000 (what the sink runner
 * hands over), on the same records in the same run: the JSONL sink (fdatasync per batch, as in
 * production) is the baseline the ClickHouse and Kafka figures are compared with, and Kafka is
 * measured through both producers (the wire producer beside kafkajs). The services
 * come from `provisionServices` (CLICKHOUSE_URL / KAFKA_BROKERS, else containers, else local
 * clickhouse-server and the librdkafka mock, all on this machine's two cores alongside the
 * benchmark). The mix is what a depth-of-book day looks like: 80 % L2 snapshots of 10 levels a
 * side, then quotes and ticks.
 */

const BATCH = 10_000;
const PREFIX = 'bench.';

function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `count` records of one session, shaped like the collector's (key order, number forms). */
export function benchRecords(session: string, count: number): RecordEnvelope[] {
  const rnd = prng(20261125);
  const symbols = ['AAPL', 'MSFT', 'NVDA', 'AMZN', 'META', 'TSLA', 'SPY', 'QQQ'];
  const out: BenchRecord[] = [];
  for (let i = 0; i < count; i++) {
    const seq = i + 1;
    const symbol = symbols[i % symbols.length]!;
    const base = 100 + (i % symbols.length) * 50 + Math.floor(rnd() * 100) / 100;
    const timestamp = `2025-07-25T${String(9 + Math.floor(i / 3_600_000)).padStart(2, '0')}:${String(Math.floor(i / 60_000) % 60).padStart(2, '0')}:${String(Math.floor(i / 1000) % 60).padStart(2, '0')}.${String((i * 37) % 1_000_000).padStart(6, '0')}`;
    const r = rnd();
    let json: string;
    let kind: 'l2' | 'l1' | 'ticks';
    if (r < 0.8) {
      kind = 'l2';
      const level = (side: number, k: number) => ({
        price: Number((base + side * (0.01 + k * 0.01)).toFixed(2)),
        size: 100 * (1 + Math.floor(rnd() * 20)),
        level: k + 1,
      });
      const bids = Array.from({ length: 10 }, (_, k) => level(-1, k));
      const asks = Array.from({ length: 10 }, (_, k) => level(1, k));
      json = JSON.stringify({
        symbol,
        timestamp,
        bids,
        asks,
        total_bid_size: bids.reduce((s, l) => s + l.size, 0),
        total_ask_size: asks.reduce((s, l) => s + l.size, 0),
        spread: Number((asks[0]!.price - bids[0]!.price).toFixed(2)),
        mid_price: Number(((asks[0]!.price + bids[0]!.price) / 2).toFixed(3)),
        session,
        seq,
      });
    } else if (r < 0.93) {
      kind = 'l1';
      json = JSON.stringify({
        symbol,
        timestamp,
        bid: base,
        bid_size: 300,
        ask: Number((base + 0.01).toFixed(2)),
        ask_size: 500,
        spread: 0.01,
        mid_price: Number((base + 0.005).toFixed(3)),
        session,
        seq,
      });
    } else {
      kind = 'ticks';
      json = JSON.stringify({
        symbol,
        timestamp,
        price: base,
        size: 100,
        conditions: '3D',
        market_center: 11,
        total_volume: 1_000_000 + i,
        tick_id: 5_000_000 + i,
        session,
        seq,
      });
    }
    out.push({ kind, symbol, seq, day: '20250725', json });
  }
  return envelopesFromJsonl(out);
}

/**
 * Best records/s over `rounds`, each writing all records through a freshly opened sink (an
 * envelope keeps nothing a sink read from it, so the same envelopes serve every round).
 */
async function rate(
  rounds: number,
  records: readonly RecordEnvelope[],
  make: (round: number) => Sink,
): Promise<number> {
  let best = 0;
  for (let round = 0; round < rounds; round++) {
    const sink = make(round);
    await sink.open();
    const start = process.hrtime.bigint();
    for (let i = 0; i < records.length; i += BATCH) await sink.write(records.slice(i, i + BATCH));
    const ns = Number(process.hrtime.bigint() - start);
    await sink.close();
    best = Math.max(best, (records.length * 1e9) / ns);
  }
  return Math.round(best);
}

export const sinksSuite: BenchSuite = {
  name: 'sinks',
  description:
    'records/s through the JSONL, ClickHouse and Kafka sinks (batches of 10k, same records, same run)',
  async run(context: BenchContext): Promise<readonly BenchFigure[]> {
    const count = context.quick ? 50_000 : 200_000;
    const rounds = context.quick ? 1 : 3;
    const logger = createLogger({ name: 'bench-sinks', level: 'warn' });
    const services = await provisionServices({
      clickhouse: true,
      // Pre-created, so the patched mock keeps every message (auto-created topics keep 5 MiB).
      kafka: { topics: ['l2', 'l1', 'ticks', 'gaps'].map((k) => ({ name: `${PREFIX}${k}`, partitions: 4 })) },
      logger,
    });
    const dir = await mkdtemp(join(tmpdir(), 'l2h-bench-sinks-'));
    const database = `l2h_bench_${randomUUID().replace(/-/g, '').slice(0, 8)}`;
    try {
      const ch = services.clickhouse!;
      const kafka = services.kafka!;
      context.log(
        `services: ${Object.entries(services.describe())
          .map(([k, v]) => `${k}=${v}`)
          .join(', ')}`,
      );
      const records = benchRecords(`bench-${randomUUID()}`, count);
      const bytes = records.reduce((s, r) => s + r.json.length + 1, 0);
      context.log(`${count} records, ${(bytes / count).toFixed(0)} bytes each on average`);

      const jsonl = await rate(
        rounds,
        records,
        (round) => new JsonlSink({ dataDir: join(dir, `r${round}`), session: 'bench' }),
      );
      context.log(`JSONL: ${jsonl} records/s`);
      const clickhouse = await rate(
        rounds,
        records,
        () => new ClickHouseSink({ url: ch.url, database }, { clock: systemClock, logger }),
      );
      context.log(`ClickHouse (${ch.describe()}): ${clickhouse} records/s`);
      const kafkaWith = (client: KafkaClientName) =>
        rate(
          rounds,
          records,
          () =>
            new KafkaSink(
              { brokers: kafka.brokers, session: 'bench', topicPrefix: PREFIX, createTopics: false, client },
              { logger },
            ),
        );
      const kafkaRate = await kafkaWith('wire');
      const kafkajsRate = await kafkaWith('kafkajs');
      context.log(`Kafka (${kafka.describe()}): wire ${kafkaRate}, kafkajs ${kafkajsRate} records/s`);

      const baseline = { name: 'JSONL sink, same records, same run', value: jsonl };
      return [
        figure({ name: 'JSONL sink write (batch 10k, fdatasync)', value: jsonl, unit: 'records/s' }),
        figure({
          name: `ClickHouse sink write (batch 10k, ${ch.describe()})`,
          value: clickhouse,
          unit: 'records/s',
          baseline,
        }),
        figure({
          name: `Kafka sink write, wire producer (batch 10k, acks all, ${kafka.describe()})`,
          value: kafkaRate,
          unit: 'records/s',
          baseline: { name: 'the same through the kafkajs producer, same run', value: kafkajsRate },
        }),
        figure({
          name: `Kafka sink write, kafkajs producer (batch 10k, acks all, ${kafka.describe()})`,
          value: kafkajsRate,
          unit: 'records/s',
          baseline,
        }),
      ];
    } finally {
      const ch = services.clickhouse;
      if (ch) {
        const client = createClient({ url: ch.url });
        await client.command({ query: `DROP DATABASE IF EXISTS ${database}` }).catch(() => {});
        await client.close();
      }
      await services.stopAll();
      await rm(dir, { recursive: true, force: true });
    }
  },
};
