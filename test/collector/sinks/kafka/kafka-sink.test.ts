import type { Kafka } from 'kafkajs';
import { afterEach, describe, expect, test } from 'vitest';
import type { RecordEnvelope } from '../../../../collector/records/types.js';
import { KAFKA_RUNNER_DEFAULTS, KafkaSink } from '../../../../collector/sinks/kafka/kafka-sink.js';
import { KafkajsProducer } from '../../../../collector/sinks/kafka/kafkajs-producer.js';
import type {
  KafkaProducerPort,
  ProducerConnection,
  TopicMessages,
} from '../../../../collector/sinks/kafka/producer.js';
import { silentLogger } from '../../../../common/logger.js';
import { sampleEnvelopes } from '../clickhouse/sample-records.js';
import { type FakeBroker, startFakeBroker } from './wire/fake-broker.js';

let broker: FakeBroker | null = null;
afterEach(async () => {
  await broker?.close();
  broker = null;
});

const session = 'unit';
/** A batch as big as the sink runner hands the Kafka sink (made once: 10,000 records take a while). */
const runnerBatch = (() => {
  let batch: RecordEnvelope[] | null = null;
  return () => (batch ??= sampleEnvelopes({ session, count: KAFKA_RUNNER_DEFAULTS.batchSize, seed: 7 }));
})();
const count = (sends: readonly TopicMessages[]) => sends.reduce((n, t) => n + t.messages.length, 0);

/** Any other client behind the port: keeps the size of every send. */
class RecordingProducer implements KafkaProducerPort {
  readonly sendSizes: number[] = [];
  async connect(): Promise<ProducerConnection> {
    return { idempotent: true, note: null };
  }
  async send(batch: readonly TopicMessages[]): Promise<void> {
    this.sendSizes.push(count(batch));
  }
  async disconnect(): Promise<void> {}
}

/** The kafkajs adapter over a stand-in for kafkajs that keeps the size of every sendBatch. */
function kafkajsProducer(sendSizes: number[]): KafkajsProducer {
  const fakeKafka = {
    producer: () => ({
      connect: async () => {},
      disconnect: async () => {},
      sendBatch: async ({ topicMessages }: { topicMessages: TopicMessages[] }) => {
        sendSizes.push(count(topicMessages));
        return [];
      },
    }),
  };
  return new KafkajsProducer(fakeKafka as unknown as Kafka, silentLogger);
}

describe('Kafka sink: messages per send', () => {
  test('with the wire producer (the default), a batch of the runner size goes out in one send', async () => {
    broker = await startFakeBroker(2);
    const sink = new KafkaSink(
      { brokers: [`127.0.0.1:${broker.port}`], session, createTopics: false },
      { logger: silentLogger },
    );
    expect(sink.maxMessagesPerSend).toBe(KAFKA_RUNNER_DEFAULTS.batchSize);
    await sink.open();
    await sink.write(runnerBatch());
    await sink.close();
    expect(sink.stats).toMatchObject({ sends: 1, messagesSent: KAFKA_RUNNER_DEFAULTS.batchSize });
    expect(broker.batches.length).toBeGreaterThan(0);
  });

  test('with the kafkajs producer, sends of 1,000', async () => {
    const sendSizes: number[] = [];
    const sink = new KafkaSink(
      { brokers: ['127.0.0.1:9'], session, client: 'kafkajs', createTopics: false },
      { logger: silentLogger, producer: kafkajsProducer(sendSizes) },
    );
    expect(sink.maxMessagesPerSend).toBe(1_000);
    await sink.open();
    await sink.write(runnerBatch());
    await sink.close();
    expect(sendSizes).toEqual(Array.from({ length: 10 }, () => 1_000));
    expect(sink.stats).toMatchObject({ sends: 10, messagesSent: 10_000 });
  });

  test('the default follows the producer the sink builds: kafkajs for client kafkajs or gzip, else wire', () => {
    const made = (o: { client?: 'wire' | 'kafkajs'; gzip?: boolean; maxMessagesPerSend?: number }) =>
      new KafkaSink({ brokers: ['127.0.0.1:9'], session, ...o }, { logger: silentLogger }).maxMessagesPerSend;
    expect(made({})).toBe(10_000);
    expect(made({ client: 'wire' })).toBe(10_000);
    expect(made({ client: 'kafkajs' })).toBe(1_000);
    expect(made({ gzip: true })).toBe(1_000); // the wire producer does not compress: kafkajs does
    // An explicit option wins either way.
    expect(made({ client: 'kafkajs', maxMessagesPerSend: 700 })).toBe(700);
    expect(made({ maxMessagesPerSend: 2_500 })).toBe(2_500);
    expect(() => made({ maxMessagesPerSend: 0 })).toThrow(/positive integer/);
  });

  test('another producer passed in gets the runner batch per send, or the explicit size', async () => {
    const other = new RecordingProducer();
    const sink = new KafkaSink({ brokers: ['127.0.0.1:9'], session }, { producer: other });
    await sink.open();
    await sink.write(runnerBatch());
    expect(other.sendSizes).toEqual([10_000]);

    const sized = new RecordingProducer();
    const explicit = new KafkaSink(
      { brokers: ['127.0.0.1:9'], session, maxMessagesPerSend: 2_500 },
      { producer: sized },
    );
    await explicit.open();
    await explicit.write(runnerBatch().slice(0, 9_000));
    expect(sized.sendSizes).toEqual([2_500, 2_500, 2_500, 1_500]);
    expect(explicit.stats).toMatchObject({ sends: 4, messagesSent: 9_000 });
  });
});
