import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { Command } from 'commander';
import { describe, expect, inject, it } from 'vitest';
import { consumeToStream, registerConsume } from '../../../../cli/commands/consume.js';
import type { RecordEnvelope } from '../../../../collector/records/types.js';
import {
  KAFKA_CLIENTS,
  type KafkaClientName,
  KafkaSink,
} from '../../../../collector/sinks/kafka/kafka-sink.js';
import { type ReadMessage, readTopics } from '../../../../collector/sinks/kafka/topic-reader.js';
import { topicsFor } from '../../../../collector/sinks/kafka/topics.js';
import { silentLogger } from '../../../../common/logger.js';
import { kafkaSource } from '../../../../harness/verify/sinks/kafka-source.js';
import type { SinkRecord } from '../../../../harness/verify/sinks/source.js';
import { sampleEnvelopes } from '../clickhouse/sample-records.js';

const services = inject('services');
const brokers = services.kafka.brokers;

/**
 * Topics of our own per test (`t<random>.l2`, …): the shared cluster serves other files at the
 * same time. The mock creates them on first use; a real Kafka gets them from the sink's
 * best-effort createTopics.
 */
function freshPrefix(): string {
  return `t${randomUUID().replace(/-/g, '').slice(0, 10)}.`;
}

async function readSource(prefix: string): Promise<SinkRecord[]> {
  const out: SinkRecord[] = [];
  for await (const batch of kafkaSource({ brokers, topicPrefix: prefix }).batches()) out.push(...batch);
  return out;
}

async function readRaw(prefix: string): Promise<ReadMessage[]> {
  const topics = Object.values(topicsFor(prefix));
  const out: ReadMessage[] = [];
  for await (const batch of readTopics({
    brokers,
    topics,
    fromBeginning: true,
    untilEnd: true,
    logger: silentLogger,
  }))
    out.push(...batch);
  return out;
}

async function produce(
  prefix: string,
  session: string,
  envelopes: readonly RecordEnvelope[],
  times = 1,
  client: KafkaClientName = 'wire',
): Promise<KafkaSink> {
  const sink = new KafkaSink(
    { brokers, session, topicPrefix: prefix, maxMessagesPerSend: 700, client },
    { logger: silentLogger },
  );
  await sink.open();
  for (let t = 0; t < times; t++) {
    for (let i = 0; i < envelopes.length; i += 1000) await sink.write(envelopes.slice(i, i + 1000));
  }
  await sink.close();
  return sink;
}

class Collect extends Writable {
  readonly chunks: Buffer[] = [];
  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    this.chunks.push(chunk);
    done();
  }
  get text(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }
}

/** Topic/key → the partition it was read from. */
async function partitionsOf(prefix: string): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const m of await readRaw(prefix))
    out.set(`${m.topic.slice(prefix.length)}/${m.key?.toString()}`, m.partition);
  return out;
}

describe(`Kafka sink on ${services.kafka.source} ${services.kafka.version}`, () => {
  it.each(KAFKA_CLIENTS.flatMap((client) => [false, true].map((asBytes) => [client, asBytes] as const)))(
    '%s client (envelopes from bytes: %s): writes records of all four kinds: value = the JSONL bytes, key = symbol, session/seq headers; read back exactly',
    async (client, asBytes) => {
      const prefix = freshPrefix();
      const session = `s-${randomUUID()}`;
      const envelopes = sampleEnvelopes({ session, count: 4000, seed: 424242, asBytes });
      const sink = await produce(prefix, session, envelopes, 1, client);
      expect(sink.stats.messagesSent).toBe(envelopes.length);
      expect(sink.stats.sends).toBeGreaterThanOrEqual(Math.ceil(envelopes.length / 700));
      // The suite's mock runs patched (controller id set), and real Kafka grants it: idempotent.
      expect(sink.stats).toMatchObject({ idempotent: true, note: null });

      const raw = await readRaw(prefix);
      expect(raw.length).toBe(envelopes.length);
      const bySeq = new Map(envelopes.map((e) => [e.seq, e]));
      for (const m of raw) {
        const env = bySeq.get(Number(m.headers['seq']))!;
        expect(m.topic).toBe(`${prefix}${env.kind}`);
        expect(m.key?.toString('utf8')).toBe(env.symbol);
        expect(m.headers['session']).toBe(session);
        expect(m.value?.equals(Buffer.from(env.json, 'utf8'))).toBe(true);
      }

      const records = await readSource(prefix);
      expect(records.length).toBe(envelopes.length);
      expect(records.filter((r) => r.record === null)).toEqual([]);
      const seen = new Set<string>();
      for (const r of records) {
        const env = bySeq.get(r.record!['seq'] as number)!;
        expect(r.kind).toBe(env.kind);
        expect(r.record).toEqual(env.record);
        expect(r.where).toMatch(new RegExp(`^${prefix.replace('.', '\\.')}${env.kind}/\\d+@\\d+$`));
        seen.add(`${r.kind}/${env.seq}`);
      }
      expect(seen.size).toBe(envelopes.length);
    },
  );

  it('both clients put a symbol on the same partition (murmur2 of the key, as the Java client)', async () => {
    const envelopes = sampleEnvelopes({ session: 's', count: 2000, seed: 9 });
    const wire = freshPrefix();
    const kafkajs = freshPrefix();
    await produce(wire, 's', envelopes, 1, 'wire');
    await produce(kafkajs, 's', envelopes, 1, 'kafkajs');
    const a = await partitionsOf(wire);
    const b = await partitionsOf(kafkajs);
    expect(a.size).toBeGreaterThan(4);
    expect(new Set(a.values()).size).toBeGreaterThan(1);
    expect([...a].sort()).toEqual([...b].sort());
  });

  it.each(KAFKA_CLIENTS)('%s client: keeps one symbol in one partition, in seq order', async (client) => {
    const prefix = freshPrefix();
    const envelopes = sampleEnvelopes({ session: 's', count: 2000, seed: 3 });
    await produce(prefix, 's', envelopes, 1, client);
    const partitionOf = new Map<string, number>();
    const lastSeq = new Map<string, number>();
    for (const m of await readRaw(prefix)) {
      const key = `${m.topic}/${m.key?.toString()}`;
      expect(partitionOf.get(key) ?? m.partition, key).toBe(m.partition);
      partitionOf.set(key, m.partition);
      const seq = Number(m.headers['seq']);
      expect(seq, key).toBeGreaterThan(lastSeq.get(`${key}/${m.partition}`) ?? 0);
      lastSeq.set(`${key}/${m.partition}`, seq);
    }
  });

  it('keeps duplicates visible: the same batch written twice reads back twice, for the verifier to count', async () => {
    const prefix = freshPrefix();
    const session = `s-${randomUUID()}`;
    const envelopes = sampleEnvelopes({ session, count: 800, seed: 11 });
    await produce(prefix, session, envelopes, 2);
    const source = kafkaSource({ brokers, topicPrefix: prefix });
    expect(source.dedup).toBeNull();
    const records = await readSource(prefix);
    expect(records.length).toBe(2 * envelopes.length);
    const copies = new Map<string, number>();
    for (const r of records)
      copies.set(
        `${r.kind}/${String(r.record?.['seq'])}`,
        (copies.get(`${r.kind}/${String(r.record?.['seq'])}`) ?? 0) + 1,
      );
    expect(copies.size).toBe(envelopes.length);
    expect([...copies.values()].every((n) => n === 2)).toBe(true);
  });

  it('reads a topic nobody wrote to as empty, without waiting for a group', async () => {
    const started = Date.now();
    expect(await readSource(freshPrefix())).toEqual([]);
    // No consumer group was joined (the mock's first join alone takes 3 s).
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it('l2h consume prints every value, one per line, exactly as produced (--from-beginning --exit-at-end)', async () => {
    const prefix = freshPrefix();
    const envelopes = sampleEnvelopes({ session: 'c', count: 1500, seed: 8 });
    await produce(prefix, 'c', envelopes);
    const out = new Collect();
    const summary = await consumeToStream(
      {
        brokers,
        topics: Object.values(topicsFor(prefix)),
        fromBeginning: true,
        exitAtEnd: true,
        logger: silentLogger,
      },
      out,
    );
    expect(summary).toEqual({ printed: envelopes.length, empty: 0 });
    const lines = out.text.split('\n');
    expect(lines.pop()).toBe('');
    expect([...lines].sort()).toEqual(envelopes.map((e) => e.json).sort());
  });

  it('l2h consume with a named group continues where the last run stopped', async () => {
    const prefix = freshPrefix();
    const topics = Object.values(topicsFor(prefix));
    const group = `g-${randomUUID()}`;
    const first = sampleEnvelopes({ session: 'g', count: 300, seed: 1 });
    const second = sampleEnvelopes({ session: 'g', count: 200, seed: 2, firstSeq: 301 });
    await produce(prefix, 'g', first);
    const run = async () => {
      const out = new Collect();
      await consumeToStream(
        { brokers, topics, fromBeginning: true, exitAtEnd: true, groupId: group, logger: silentLogger },
        out,
      );
      return out.text.split('\n').filter((l) => l !== '');
    };
    expect((await run()).sort()).toEqual(first.map((e) => e.json).sort());
    await produce(prefix, 'g', second);
    expect((await run()).sort()).toEqual(second.map((e) => e.json).sort());
  });

  it('l2h consume refuses a run without brokers, naming the flag', async () => {
    const program = new Command().exitOverride();
    registerConsume(program);
    const saved = process.env.KAFKA_BROKERS;
    delete process.env.KAFKA_BROKERS;
    try {
      await expect(program.parseAsync(['node', 'l2h', 'consume'])).rejects.toMatchObject({
        code: 'BAD_USAGE',
        message: expect.stringContaining('--kafka'),
      });
      await expect(program.parseAsync(['node', 'l2h', 'consume', '--kafka', 'nohost'])).rejects.toMatchObject(
        { code: 'BAD_USAGE' },
      );
    } finally {
      if (saved !== undefined) process.env.KAFKA_BROKERS = saved;
    }
  });
});
