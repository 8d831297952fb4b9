/**
 * KafkaProducerPort on kafkajs 2.2.4. Acks from all in-sync replicas; idempotent where the
 * cluster allows it: `idempotent: true, maxInFlightRequests: 1` needs an InitProducerId from the
 * controller, which librdkafka's unpatched mock cluster cannot give (it advertises controller 0,
 * a broker that does not exist: SERVICES.md §2). Then the adapter connects again without
 * idempotence, logs a warning, and says so in the connection it returns; later reconnects do not
 * ask again.
 */
import { CompressionTypes, type Kafka, Partitioners, type Producer } from 'kafkajs';
import type { Logger } from '../../../common/logger.js';
import { errorChain, fatalKafkaReason } from './errors.js';
import type { KafkaProducerPort, ProducerConnection, TopicMessages } from './producer.js';

export interface KafkajsProducerOptions {
  /** Try for an idempotent producer first (default true). */
  readonly idempotent?: boolean;
  /** gzip record batches (default false). */
  readonly gzip?: boolean;
  /** Partitions per topic when creating missing topics (default 4). */
  readonly partitions?: number;
}

/** Errors that mean "the cluster answered, but cannot give us a producer id". */
function idempotenceRefused(err: unknown): string | null {
  for (const e of errorChain(err)) {
    const name = (e as Error & { name?: string }).name;
    if (name === 'KafkaJSBrokerNotFound') return `no controller to ask for a producer id (${e.message})`;
  }
  return fatalKafkaReason(err);
}

export class KafkajsProducer implements KafkaProducerPort {
  private producer: Producer | null = null;
  private idempotentRefused: string | null = null;

  constructor(
    private readonly kafka: Kafka,
    private readonly logger: Logger,
    private readonly options: KafkajsProducerOptions = {},
  ) {}

  private make(idempotent: boolean): Producer {
    return this.kafka.producer({
      idempotent,
      maxInFlightRequests: idempotent ? 1 : 5,
      // The Java client's murmur2: a symbol lands on the same partition as other clients put it.
      createPartitioner: Partitioners.DefaultPartitioner,
      allowAutoTopicCreation: true,
    });
  }

  async connect(): Promise<ProducerConnection> {
    await this.disconnect();
    const wantIdempotent = (this.options.idempotent ?? true) && this.idempotentRefused === null;
    if (wantIdempotent) {
      const producer = this.make(true);
      try {
        await producer.connect();
        this.producer = producer;
        return { idempotent: true, note: null };
      } catch (err) {
        await producer.disconnect().catch(() => {});
        const refused = idempotenceRefused(err);
        if (refused === null) throw err; // cannot reach the cluster: an outage, not a refusal
        this.idempotentRefused = refused;
        this.logger.warn(
          { reason: refused },
          'Kafka refused an idempotent producer; producing without idempotence (a retried send may duplicate, and the verifier counts duplicates)',
        );
      }
    }
    const producer = this.make(false);
    try {
      await producer.connect();
    } catch (err) {
      await producer.disconnect().catch(() => {});
      throw err;
    }
    this.producer = producer;
    const note =
      this.idempotentRefused === null
        ? 'idempotence turned off by configuration'
        : `not idempotent: ${this.idempotentRefused}`;
    return { idempotent: false, note };
  }

  async send(batch: readonly TopicMessages[]): Promise<void> {
    const producer = this.producer;
    if (producer === null) throw new Error('KafkajsProducer.send before connect');
    await producer.sendBatch({
      acks: -1,
      compression: this.options.gzip ? CompressionTypes.GZIP : CompressionTypes.None,
      topicMessages: batch.map((t) => ({
        topic: t.topic,
        // kafkajs only reads the headers object: ours can go as they are, without a copy each.
        messages: [...t.messages],
      })),
    });
  }

  async disconnect(): Promise<void> {
    const producer = this.producer;
    this.producer = null;
    if (producer !== null) await producer.disconnect().catch(() => {});
  }

  async createTopics(topics: readonly string[]): Promise<void> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const existing = new Set(await admin.listTopics());
      const missing = topics.filter((t) => !existing.has(t));
      if (missing.length === 0) return;
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((topic) => ({ topic, numPartitions: this.options.partitions ?? 4 })),
      });
    } finally {
      await admin.disconnect().catch(() => {});
    }
  }
}
