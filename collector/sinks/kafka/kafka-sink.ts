/**
 * The Kafka sink: one message per record on `<prefix><kind>` (default `iqfeed.l2`, `iqfeed.l1`,
 * `iqfeed.ticks`, `iqfeed.gaps`), key = symbol (one symbol stays in one partition, in seq order),
 * value = the record's JSON as UTF-8 — the very bytes of its JSONL line — and headers `session`
 * and `seq`, so a consumer can deduplicate without parsing the value.
 *
 * `write` resolves once every message of the batch is acknowledged by all in-sync replicas; the
 * batch goes out in sends of at most `maxMessagesPerSend`, each awaited before the next. The
 * default depends on the producer. With the wire producer it is the runner's whole batch
 * (KAFKA_RUNNER_DEFAULTS.batchSize, 10,000): that producer cuts a send into batches under the
 * broker's size limit itself and its cost per message does not grow with the size of a send,
 * while every send is a round trip that waits for a turn of the collector's busy event loop
 * (measured with the feed at ~120k lines/s: sends of 1,000 held the sink near 45k records/s,
 * sends of 10,000 kept up). With kafkajs it is 1,000: its cost per message grows with the size
 * of a send, and sends of 1,000 moved 1.45× the records/s of sends of 10,000 with the
 * collector's ~1 KB L2 records (SERVICES.md §2).
 *
 * Two producers sit behind the port: `wire` (wire/, the default) and `kafkajs`. kafkajs spent
 * ~30 µs of the collector's CPU per 1 KB record (measured: 200k records, 10.2 s of Node CPU
 * against 0.77 s of the broker's), so it alone held the sink near 30k records/s; the wire
 * producer writes each batch in one pass at a few µs per record.
 *
 * Idempotence: within one producer session the broker drops retried duplicates (idempotent
 * producer, where the cluster allows it). Across reconnects and collector restarts it cannot:
 * a batch sent again after a failure whose first try did land is stored twice. Kafka has no
 * upsert, so those duplicates stay visible; the verifier counts them by (session, seq).
 *
 * After a failed send the producer is dropped and a fresh one connects on the next write, so a
 * half-broken connection or a stale producer id never outlives an outage.
 */
import { errorMessage, L2hError } from '../../../common/errors.js';
import { type Logger, silentLogger } from '../../../common/logger.js';
import { recordJsonBytes } from '../../records/json.js';
import { RECORD_KINDS, type RecordEnvelope, type RecordKind } from '../../records/types.js';
import type { Sink } from '../sink.js';
import { classifyKafkaError } from './errors.js';
import { kafkaClient } from './kafkajs-client.js';
import { KafkajsProducer } from './kafkajs-producer.js';
import type { KafkaProducerPort, ProducerConnection, ProducerMessage, TopicMessages } from './producer.js';
import { DEFAULT_TOPIC_PREFIX, topicsFor } from './topics.js';
import { WireProducer } from './wire/wire-producer.js';

/**
 * Which producer writes: `wire`, our own produce path (default: a few µs of CPU per record), or
 * `kafkajs` (the library the consumer side uses; ~30 µs per 1 KB record, SERVICES.md §2).
 */
export type KafkaClientName = 'wire' | 'kafkajs';
export const KAFKA_CLIENTS: readonly KafkaClientName[] = ['wire', 'kafkajs'];

export interface KafkaSinkOptions {
  readonly brokers: readonly string[];
  /** Default `wire`. */
  readonly client?: KafkaClientName;
  /** Written into every message's `session` header. */
  readonly session: string;
  /** Topic name prefix (default `iqfeed.`): topics are `<prefix>l2`, `<prefix>l1`, `<prefix>ticks`, `<prefix>gaps`. */
  readonly topicPrefix?: string;
  /**
   * Messages per send at most. Default: the runner's batch (10,000) with the wire producer or
   * another one passed in, 1,000 with the kafkajs producer (`client: 'kafkajs'`, or `gzip`).
   */
  readonly maxMessagesPerSend?: number;
  /** Ask for an idempotent producer (default true; falls back with a warning where refused). */
  readonly idempotent?: boolean;
  /** Try to create missing topics at open (default true; best effort). */
  readonly createTopics?: boolean;
  /** Partitions of topics it creates (default 4). */
  readonly partitions?: number;
  readonly gzip?: boolean;
  readonly clientId?: string;
  readonly requestTimeoutMs?: number;
  readonly connectionTimeoutMs?: number;
}

export interface KafkaSinkDeps {
  readonly logger?: Logger;
  /** Another client behind our port; default: the one `options.client` names. */
  readonly producer?: KafkaProducerPort;
}

/** Runner settings that suit Kafka: one full send per batch (with the wire producer). */
export const KAFKA_RUNNER_DEFAULTS = { batchSize: 10_000, batchMs: 50 } as const;

/** Messages per send by default with kafkajs, whose cost per message grows with the send. */
const KAFKAJS_MAX_PER_SEND = 1_000;

export interface KafkaSinkStats {
  readonly messagesSent: number;
  readonly sends: number;
  readonly connects: number;
  /** null before the first connection. */
  readonly idempotent: boolean | null;
  /** Why the producer is not idempotent, when it is not. */
  readonly note: string | null;
  readonly topics: Readonly<Record<RecordKind, string>>;
}

export class KafkaSink implements Sink {
  readonly name = 'kafka' as const;
  private readonly brokers: readonly string[];
  private readonly session: string;
  private readonly topics: Readonly<Record<RecordKind, string>>;
  /** Messages per send at most: the option, or the default for the producer in use. */
  readonly maxMessagesPerSend: number;
  private readonly logger: Logger;
  private readonly producer: KafkaProducerPort;
  private readonly tryCreateTopics: boolean;
  private connection: ProducerConnection | null = null;
  private closed = false;
  private messagesSent = 0;
  private sends = 0;
  private connects = 0;
  private lastNote: string | null = null;
  private lastIdempotent: boolean | null = null;

  constructor(options: KafkaSinkOptions, deps: KafkaSinkDeps) {
    if (options.brokers.length === 0)
      throw new L2hError('the Kafka sink needs at least one broker', { code: 'BAD_USAGE' });
    this.brokers = options.brokers;
    this.session = options.session;
    this.topics = topicsFor(options.topicPrefix ?? DEFAULT_TOPIC_PREFIX);
    const explicitMax = options.maxMessagesPerSend;
    if (explicitMax !== undefined && (!Number.isInteger(explicitMax) || explicitMax < 1)) {
      throw new L2hError(`maxMessagesPerSend must be a positive integer, got ${explicitMax}`, {
        code: 'BAD_USAGE',
      });
    }
    this.logger = deps.logger ?? silentLogger;
    this.tryCreateTopics = options.createTopics ?? true;
    this.producer = deps.producer ?? this.defaultProducer(options);
    this.maxMessagesPerSend =
      explicitMax ??
      (this.producer instanceof KafkajsProducer ? KAFKAJS_MAX_PER_SEND : KAFKA_RUNNER_DEFAULTS.batchSize);
  }

  private defaultProducer(options: KafkaSinkOptions): KafkaProducerPort {
    const client = options.client ?? 'wire';
    if (client !== 'wire' && client !== 'kafkajs') {
      throw new L2hError(
        `unknown Kafka client ${JSON.stringify(client)}: expected ${KAFKA_CLIENTS.join(' or ')}`,
        {
          code: 'BAD_USAGE',
        },
      );
    }
    const kafkajs = new KafkajsProducer(
      kafkaClient({
        brokers: options.brokers,
        clientId: options.clientId ?? 'l2h-collector',
        logger: this.logger,
        requestTimeoutMs: options.requestTimeoutMs,
        connectionTimeoutMs: options.connectionTimeoutMs,
      }),
      this.logger,
      { idempotent: options.idempotent, gzip: options.gzip, partitions: options.partitions },
    );
    // kafkajs also when gzip is asked for: the wire producer does not compress.
    if (client === 'kafkajs' || options.gzip) return kafkajs;
    return new WireProducer({
      brokers: options.brokers,
      clientId: options.clientId ?? 'l2h-collector',
      logger: this.logger,
      idempotent: options.idempotent,
      requestTimeoutMs: options.requestTimeoutMs,
      connectTimeoutMs: options.connectionTimeoutMs,
      // Topic creation is rare and admin-only: kafkajs' admin client does it.
      createTopics: (topics) => kafkajs.createTopics(topics),
    });
  }

  get stats(): KafkaSinkStats {
    return {
      messagesSent: this.messagesSent,
      sends: this.sends,
      connects: this.connects,
      idempotent: this.lastIdempotent,
      note: this.lastNote,
      topics: this.topics,
    };
  }

  async open(): Promise<void> {
    if (this.tryCreateTopics && this.producer.createTopics) {
      try {
        await this.producer.createTopics(RECORD_KINDS.map((k) => this.topics[k]));
      } catch (err) {
        // The librdkafka mock has no CreateTopics; real clusters may forbid it. Pre-created or
        // auto-created topics serve as well, and a missing one fails the first send loudly.
        this.logger.warn(
          { err: errorMessage(err), topics: Object.values(this.topics) },
          'could not create Kafka topics; relying on existing ones',
        );
      }
    }
    try {
      await this.ensureConnected();
    } catch (err) {
      if (!(err instanceof L2hError && err.retriable)) throw err;
      this.logger.warn(
        { brokers: this.brokers.join(','), err: err.message },
        'Kafka unavailable at open; connecting again at the first write',
      );
    }
  }

  async write(batch: readonly RecordEnvelope[]): Promise<void> {
    if (this.closed) throw new L2hError('Kafka sink is closed', { code: 'INTERNAL' });
    if (batch.length === 0) return;
    await this.ensureConnected();
    for (let i = 0; i < batch.length; i += this.maxMessagesPerSend) {
      const end = Math.min(batch.length, i + this.maxMessagesPerSend);
      const chunk = this.messages(batch, i, end);
      try {
        await this.producer.send(chunk);
      } catch (err) {
        this.connection = null;
        await this.producer.disconnect().catch(() => {});
        throw classifyKafkaError(err, `send ${batch.length} records`, this.brokers);
      }
      this.sends++;
      this.messagesSent += end - i;
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.connection = null;
    await this.producer.disconnect();
  }

  private async ensureConnected(): Promise<void> {
    if (this.connection !== null) return;
    try {
      this.connection = await this.producer.connect();
    } catch (err) {
      await this.producer.disconnect().catch(() => {});
      throw classifyKafkaError(err, 'connect a producer', this.brokers);
    }
    this.connects++;
    this.lastIdempotent = this.connection.idempotent;
    this.lastNote = this.connection.note;
  }

  /** Records [from, to) of the batch as messages, grouped by topic. */
  private messages(batch: readonly RecordEnvelope[], from: number, to: number): TopicMessages[] {
    const byTopic = new Map<string, ProducerMessage[]>();
    for (let i = from; i < to; i++) {
      const env = batch[i]!;
      const topic = this.topics[env.kind];
      let list = byTopic.get(topic);
      if (list === undefined) {
        list = [];
        byTopic.set(topic, list);
      }
      list.push({
        key: env.symbol,
        value: recordJsonBytes(env),
        headers: { session: this.session, seq: String(env.seq) },
      });
    }
    return [...byTopic].map(([topic, messages]) => ({ topic, messages }));
  }
}

export function createKafkaSink(options: KafkaSinkOptions, deps: KafkaSinkDeps): KafkaSink {
  return new KafkaSink(options, deps);
}
