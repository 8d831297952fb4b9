import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import type { RecordEnvelope } from '../../../../collector/records/types.js';
import { KafkaSink } from '../../../../collector/sinks/kafka/kafka-sink.js';
import { isRetriable } from '../../../../collector/sinks/retry.js';
import { systemClock } from '../../../../common/clock.js';
import { L2hError } from '../../../../common/errors.js';
import { silentLogger } from '../../../../common/logger.js';
import { kafkaSource } from '../../../../harness/verify/sinks/kafka-source.js';
import type { SinkRecord } from '../../../../harness/verify/sinks/source.js';
import { provisionKafka } from '../../../../services/index.js';
import { ensureMockLauncher } from '../../../../services/kafka/launcher-build.js';
import { resolveKafkaOptions } from '../../../../services/kafka/options.js';
import { pollUntil } from '../../../../services/shared/poll.js';
import { envWithout } from '../../../services/support.js';
import { sampleEnvelopes } from '../clickhouse/sample-records.js';

// A cluster of our own, not the suite's shared one: these tests take it down.
const env = envWithout('KAFKA_BROKERS');
const kafka = await provisionKafka({}, { logger: silentLogger, env });
afterAll(() => kafka.stop());

async function readAll(brokers: readonly string[], prefix?: string): Promise<SinkRecord[]> {
  const out: SinkRecord[] = [];
  for await (const batch of kafkaSource({ brokers, topicPrefix: prefix }).batches()) out.push(...batch);
  return out;
}

/** What the sink runner does with a retriable failure: try the same batch again until it lands. */
async function writeUntilAccepted(sink: KafkaSink, batch: readonly RecordEnvelope[]): Promise<void> {
  await pollUntil(
    async () => {
      try {
        await sink.write(batch);
        return true;
      } catch (err) {
        if (!isRetriable(err)) throw new Error(`not retriable: ${String(err)}`);
        throw err;
      }
    },
    { clock: systemClock, timeoutMs: 60_000, intervalMs: 200, what: 'Kafka to accept the batch again' },
  );
}

describe(`Kafka sink through an outage of ${kafka.describe()}`, () => {
  it('rejects retriably while the brokers are down, then delivers the same batch once they are back: nothing lost', async () => {
    const session = `s-${randomUUID()}`;
    const all = sampleEnvelopes({ session, count: 3000, seed: 77 });
    const sink = new KafkaSink(
      { brokers: kafka.brokers, session, requestTimeoutMs: 3_000, connectionTimeoutMs: 1_000 },
      { logger: silentLogger },
    );
    await sink.open();
    await sink.write(all.slice(0, 1000));

    await kafka.pause();
    try {
      const err = await sink.write(all.slice(1000, 2000)).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(L2hError);
      expect(err).toMatchObject({ retriable: true });
    } finally {
      await kafka.resume();
    }
    await writeUntilAccepted(sink, all.slice(1000, 2000));
    await sink.write(all.slice(2000));
    await sink.close();
    expect(sink.stats.connects).toBeGreaterThanOrEqual(2);

    const records = await readAll(kafka.brokers);
    const bySeq = new Map(all.map((e) => [e.seq, e]));
    const unique = new Set<number>();
    for (const r of records) {
      const seq = r.record?.['seq'] as number;
      expect(r.record).toEqual(bySeq.get(seq)?.record);
      unique.add(seq);
    }
    // Every record is there; a send that landed before its ack was lost may have come twice.
    expect(unique.size).toBe(all.length);
    expect(records.length).toBeGreaterThanOrEqual(all.length);
  });
});

// The suite's mock is patched so InitProducerId works; librdkafka's mock as shipped is not.
const localMock = kafka.source === 'local';
describe.skipIf(!localMock)('Kafka sink on an unpatched librdkafka mock (controller id 0)', () => {
  /** Runs `body` against a fresh unpatched mock with topics unpatched.{l2,l1,ticks,gaps}. */
  async function withUnpatchedMock(body: (brokers: string[]) => Promise<void>): Promise<void> {
    const options = resolveKafkaOptions({}, env);
    const launcher = await ensureMockLauncher(options, { logger: silentLogger, env, clock: systemClock });
    const child = spawn(
      launcher,
      ['-n', 'unpatched.l2:2', 'unpatched.l1:2', 'unpatched.ticks:2', 'unpatched.gaps:2'],
      {
        stdio: ['pipe', 'pipe', 'pipe'],
      },
    );
    try {
      const first = await new Promise<string>((resolve, reject) => {
        const lines = createInterface({ input: child.stdout });
        lines.once('line', resolve);
        child.once('exit', (code) => reject(new Error(`mock launcher exited ${code}`)));
      });
      expect(first).toMatch(/^BOOTSTRAP=/);
      await body(first.slice('BOOTSTRAP='.length).split(','));
    } finally {
      child.stdin.end();
      await new Promise((resolve) => (child.exitCode !== null ? resolve(null) : child.once('exit', resolve)));
    }
  }

  async function deliversAll(sink: KafkaSink, brokers: readonly string[], batch: readonly RecordEnvelope[]) {
    await sink.write(batch);
    await sink.close();
    const records = await readAll(brokers, 'unpatched.');
    expect(records.map((r) => r.record?.['seq']).sort((a, b) => Number(a) - Number(b))).toEqual(
      batch.map((e) => e.seq),
    );
  }

  it('kafkajs: falls back to a non-idempotent producer, says so in its stats, and still delivers', async () => {
    await withUnpatchedMock(async (brokers) => {
      const session = `s-${randomUUID()}`;
      const batch = sampleEnvelopes({ session, count: 500, seed: 5 });
      const sink = new KafkaSink(
        { brokers, session, topicPrefix: 'unpatched.', client: 'kafkajs' },
        { logger: silentLogger },
      );
      await sink.open();
      expect(sink.stats.idempotent).toBe(false);
      expect(sink.stats.note).toMatch(/not idempotent: .*controller|Broker 0/);
      await deliversAll(sink, brokers, batch);
    });
  });

  it('wire: asks a broker, not the controller, for its producer id, so it stays idempotent, and delivers', async () => {
    await withUnpatchedMock(async (brokers) => {
      const session = `s-${randomUUID()}`;
      const batch = sampleEnvelopes({ session, count: 500, seed: 6 });
      const sink = new KafkaSink({ brokers, session, topicPrefix: 'unpatched.' }, { logger: silentLogger });
      await sink.open();
      expect(sink.stats.idempotent).toBe(true);
      expect(sink.stats.note).toBeNull();
      await deliversAll(sink, brokers, batch);
    });
  });
});
