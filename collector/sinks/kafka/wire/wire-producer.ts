/**
 * KafkaProducerPort over our own produce path: metadata, an idempotent producer id where the
 * cluster gives one, and Produce requests whose record batches are written in one pass
 * (record-batch.ts). It exists for speed: kafkajs spends ~30 µs of CPU per 1 KB record on the
 * collector's thread, which alone caps a collector near 30k records/s; this path spends a few.
 *
 * What it does, per send: each message goes to partition murmur2(key) mod partitions (the Java
 * client's and kafkajs' rule), partitions are grouped by their leader, each leader gets Produce
 * requests with one batch per partition of at most `maxBatchBytes` (the broker's default
 * `message.max.bytes` is 1 MiB), acks = all. Leaders are written to in parallel; one leader's
 * requests go out in order on its one connection, up to 5 awaiting their response at once where
 * the broker would refuse a batch that overtook a refused one (an idempotent producer, on
 * partitions that already took one of its batches), else one at a time, so a partition's batches
 * keep their order (see `sendToLeader`).
 * Any error — a connection lost, a partition error code, a timeout — fails the send; the Kafka
 * sink then drops this producer and connects a fresh one (new metadata, new producer id), so no
 * state outlives a failure.
 *
 * Not covered (the sink's configuration does not offer them either): TLS, SASL, compression,
 * transactions. A cluster that needs them takes the kafkajs adapter or another client behind
 * the same port.
 */
import { errorMessage } from '../../../../common/errors.js';
import type { Logger } from '../../../../common/logger.js';
import type { KafkaProducerPort, ProducerConnection, ProducerMessage, TopicMessages } from '../producer.js';
import type { Reader } from './codec.js';
import { BrokerConnection } from './connection.js';
import { KafkaResponseError } from './errors.js';
import { partitionOf } from './murmur2.js';
import {
  API,
  type Metadata,
  type PartitionBatch,
  type PartitionMetadata,
  readApiVersions,
  readInitProducerId,
  readMetadata,
  readProduce,
  type TopicBatches,
  VERSION,
  writeInitProducerIdRequest,
  writeMetadataRequest,
  writeProduceRequest,
} from './protocol.js';
import {
  BATCH_HEADER_BYTES,
  type BatchProducer,
  NO_PRODUCER,
  recordSize,
  type SizedMessage,
  sizeMessage,
} from './record-batch.js';

export interface WireProducerOptions {
  readonly brokers: readonly string[];
  readonly clientId: string;
  readonly logger: Logger;
  /** Ask for an idempotent producer id (default true; falls back, with a note, when refused). */
  readonly idempotent?: boolean;
  readonly connectTimeoutMs?: number;
  readonly requestTimeoutMs?: number;
  /** The broker's wait for acknowledgements within a Produce request (default 10 s). */
  readonly ackTimeoutMs?: number;
  /** Bytes per partition batch at most (default 900 KiB, under the broker's 1 MiB default). */
  readonly maxBatchBytes?: number;
  /** Creates missing topics (the sink's best effort at open); this client has no admin API. */
  readonly createTopics?: (topics: readonly string[]) => Promise<void>;
}

/**
 * Produce requests awaiting their response on one connection at most: Kafka's bound for an
 * idempotent producer (`max.in.flight.requests.per.connection` ≤ 5), the number of batches per
 * partition whose sequence numbers a broker remembers to put retries and duplicates in order.
 */
export const MAX_PRODUCES_IN_FLIGHT = 5;

/** How one produce request ended: null when every partition took its batch. */
type ProduceOutcome = { readonly error: unknown } | null;

interface ProducerState {
  readonly metadata: Metadata;
  readonly connections: Map<number, BrokerConnection>;
  readonly producerId: bigint;
  readonly producerEpoch: number;
  /** Next sequence per "topic/partition" (idempotent producers only). */
  readonly sequences: Map<string, number>;
  /** "topic/partition"s that acknowledged a batch of this producer id (idempotent producers only). */
  readonly acknowledged: Set<string>;
}

function getOrAdd<K, V>(map: Map<K, V>, key: K, make: () => V): V {
  let v = map.get(key);
  if (v === undefined) {
    v = make();
    map.set(key, v);
  }
  return v;
}

function parseBroker(b: string): { host: string; port: number } {
  const at = b.lastIndexOf(':');
  const port = Number(b.slice(at + 1));
  if (at <= 0 || !Number.isInteger(port) || port <= 0 || port > 65535) {
    throw new Error(`Kafka broker address ${JSON.stringify(b)} is not host:port`);
  }
  return { host: b.slice(0, at), port };
}

export class WireProducer implements KafkaProducerPort {
  private state: ProducerState | null = null;
  private idempotentRefused: string | null = null;
  private readonly knownTopics = new Set<string>();
  private readonly connectTimeoutMs: number;
  private readonly requestTimeoutMs: number;
  private readonly ackTimeoutMs: number;
  private readonly maxBatchBytes: number;

  constructor(private readonly o: WireProducerOptions) {
    this.connectTimeoutMs = o.connectTimeoutMs ?? 3_000;
    this.requestTimeoutMs = o.requestTimeoutMs ?? 10_000;
    this.ackTimeoutMs = o.ackTimeoutMs ?? 10_000;
    this.maxBatchBytes = o.maxBatchBytes ?? 900 * 1024;
  }

  async connect(): Promise<ProducerConnection> {
    await this.disconnect();
    const bootstrap = await this.bootstrap();
    try {
      const metadata = await this.fetchMetadata(bootstrap, [...this.knownTopics]);
      const wantIdempotent = (this.o.idempotent ?? true) && this.idempotentRefused === null;
      let producer = { producerId: -1n, producerEpoch: -1 };
      if (wantIdempotent) {
        const r = readInitProducerId(
          await bootstrap.request(API.initProducerId, (w) => writeInitProducerIdRequest(w, 60_000)),
        );
        if (r.errorCode === 0) producer = { producerId: r.producerId, producerEpoch: r.producerEpoch };
        else {
          this.idempotentRefused = new KafkaResponseError(r.errorCode, 'to InitProducerId').message;
          this.o.logger.warn(
            { reason: this.idempotentRefused },
            'Kafka refused an idempotent producer; producing without idempotence (a retried send may duplicate, and the verifier counts duplicates)',
          );
        }
      }
      const connections = new Map<number, BrokerConnection>();
      this.state = { metadata, connections, ...producer, sequences: new Map(), acknowledged: new Set() };
      bootstrap.close();
      const idempotent = producer.producerId >= 0n;
      const note = idempotent
        ? null
        : this.idempotentRefused === null
          ? 'idempotence turned off by configuration'
          : `not idempotent: ${this.idempotentRefused}`;
      return { idempotent, note };
    } catch (err) {
      bootstrap.close();
      throw err;
    }
  }

  async send(batch: readonly TopicMessages[]): Promise<void> {
    let state = this.state;
    if (state === null) throw new Error('WireProducer.send before connect');
    if (batch.some((t) => !this.knownTopics.has(t.topic))) {
      for (const t of batch) this.knownTopics.add(t.topic);
      state = await this.refreshMetadata(state);
    }
    // Leader → topic → partition → messages.
    const byLeader = new Map<number, Map<string, Map<number, ProducerMessage[]>>>();
    for (const { topic, messages } of batch) {
      const meta = state.metadata.topics.find((t) => t.name === topic);
      if (meta === undefined || meta.errorCode !== 0 || meta.partitions.length === 0) {
        throw new KafkaResponseError(meta?.errorCode || 3, `for topic ${topic} in the metadata`);
      }
      const partitions = meta.partitions;
      // A send holds many messages of few keys (symbols): hash each key once.
      const partitionOfKey = new Map<string, PartitionMetadata>();
      for (const m of messages) {
        const p = getOrAdd(
          partitionOfKey,
          m.key,
          () => partitions[partitionOf(Buffer.from(m.key, 'utf8'), partitions.length)]!,
        );
        if (p.errorCode !== 0 || p.leader < 0) {
          throw new KafkaResponseError(p.errorCode || 5, `for ${topic}/${p.partition} in the metadata`);
        }
        const topics = getOrAdd(byLeader, p.leader, () => new Map<string, Map<number, ProducerMessage[]>>());
        const parts = getOrAdd(topics, topic, () => new Map<number, ProducerMessage[]>());
        getOrAdd(parts, p.partition, (): ProducerMessage[] => []).push(m);
      }
    }
    const current = state;
    await Promise.all([...byLeader].map(([leader, topics]) => this.sendToLeader(current, leader, topics)));
  }

  async createTopics(topics: readonly string[]): Promise<void> {
    if (this.o.createTopics === undefined) throw new Error('this Kafka client cannot create topics');
    await this.o.createTopics(topics);
  }

  async disconnect(): Promise<void> {
    const state = this.state;
    this.state = null;
    if (state !== null) for (const c of state.connections.values()) c.close();
  }

  /**
   * Requests to one leader, written in order on its connection with up to MAX_PRODUCES_IN_FLIGHT
   * awaiting their response where `mayOvertake` allows, else one at a time; each holds one batch
   * per partition. Fails with the error of the first request (in the order written) that failed,
   * once every request written has ended.
   */
  private async sendToLeader(
    state: ProducerState,
    leader: number,
    topics: Map<string, Map<number, ProducerMessage[]>>,
  ): Promise<void> {
    const conn = await this.connection(state, leader);
    const now = Date.now();
    // Per partition, its messages cut into batches of at most maxBatchBytes; request r carries
    // the r-th batch of every partition that has one.
    const rounds: Map<string, PartitionBatch[]>[] = [];
    for (const [topic, parts] of topics) {
      for (const [partition, messages] of parts) {
        const chunks = this.chunk(messages);
        for (let r = 0; r < chunks.length; r++) {
          const chunk = chunks[r]!;
          const key = `${topic}/${partition}`;
          let producer: BatchProducer = NO_PRODUCER;
          if (state.producerId >= 0n) {
            const seq = state.sequences.get(key) ?? 0;
            producer = {
              producerId: state.producerId,
              producerEpoch: state.producerEpoch,
              baseSequence: seq,
            };
            state.sequences.set(key, (seq + chunk.length) % 2 ** 31);
          }
          if (rounds[r] === undefined) rounds.push(new Map());
          getOrAdd(rounds[r]!, topic, () => []).push({ partition, messages: chunk, producer });
        }
      }
    }
    // Why a request may go out before the last one's response (see `mayOvertake` for where it
    // may): a broker handles the requests of one connection one at a time, in the order they
    // arrive, so request r+1's batches are appended after request r's, in the order their
    // sequence numbers were given above. 5 is Kafka's bound for an idempotent producer: the
    // batches per partition a broker remembers in order. Outcomes settle, never reject, so a
    // failure cannot go unhandled while an earlier request is awaited; and every request written
    // is awaited before the send ends.
    const inFlight: Promise<ProduceOutcome>[] = [];
    let failure: ProduceOutcome = null;
    for (const byTopic of rounds) {
      const room = this.mayOvertake(state, byTopic) ? MAX_PRODUCES_IN_FLIGHT : 1;
      while (failure === null && inFlight.length >= room) failure = await inFlight.shift()!;
      if (failure !== null) break;
      const round: TopicBatches[] = [...byTopic].map(([topic, partitions]) => ({ topic, partitions }));
      inFlight.push(this.produce(conn, leader, now, round, state));
    }
    for (const outcome of inFlight) {
      const ended = await outcome;
      failure ??= ended;
    }
    if (failure !== null) throw failure.error;
  }

  /**
   * Whether a request with these batches may go out while earlier ones await their response.
   * Only if, should an earlier one be refused (say NOT_ENOUGH_REPLICAS, before its append), the
   * broker refuses these too rather than store them ahead of it (the sink sends the whole batch
   * again, and a partition must keep its records in seq order): an idempotent producer's batch
   * out of sequence is refused (OUT_OF_ORDER_SEQUENCE_NUMBER), but only on a partition where the
   * broker holds a batch of this producer id. On one where it holds none (every partition of a
   * new producer id, as after each reconnect) Kafka takes any sequence (KIP-360, Kafka 2.5), and
   * without idempotence there are no sequences to check.
   */
  private mayOvertake(state: ProducerState, byTopic: Map<string, PartitionBatch[]>): boolean {
    if (state.producerId < 0n) return false;
    for (const [topic, batches] of byTopic) {
      for (const b of batches) if (!state.acknowledged.has(`${topic}/${b.partition}`)) return false;
    }
    return true;
  }

  /** One produce request written, and its response read and checked. */
  private produce(
    conn: BrokerConnection,
    leader: number,
    now: number,
    round: readonly TopicBatches[],
    state: ProducerState,
  ): Promise<ProduceOutcome> {
    const check = (response: Reader): ProduceOutcome => {
      const results = readProduce(response);
      for (const res of results) {
        if (res.errorCode !== 0) {
          throw new KafkaResponseError(
            res.errorCode,
            `producing to ${res.topic}/${res.partition} on broker ${leader} (${conn.address})`,
          );
        }
      }
      const expected = round.reduce((s, t) => s + t.partitions.length, 0);
      if (results.length !== expected) {
        throw new Error(
          `broker ${leader} (${conn.address}) answered ${results.length} of ${expected} partitions of a produce request`,
        );
      }
      if (state.producerId >= 0n) {
        for (const t of round)
          for (const p of t.partitions) state.acknowledged.add(`${t.topic}/${p.partition}`);
      }
      return null;
    };
    try {
      return conn
        .request(API.produce, (w) => writeProduceRequest(w, -1, this.ackTimeoutMs, now, round))
        .then(check)
        .catch((error: unknown) => ({ error }));
    } catch (error) {
      // Writing the request failed before it went out: nothing to await.
      return Promise.resolve({ error });
    }
  }

  /** The messages, each measured once, cut into batches of at most maxBatchBytes. */
  private chunk(messages: readonly ProducerMessage[]): SizedMessage[][] {
    const out: SizedMessage[][] = [];
    let current: SizedMessage[] = [];
    let bytes = BATCH_HEADER_BYTES;
    for (const m of messages) {
      const sized = sizeMessage(m);
      if (current.length > 0 && bytes + recordSize(sized, current.length) > this.maxBatchBytes) {
        out.push(current);
        current = [];
        bytes = BATCH_HEADER_BYTES;
      }
      bytes += recordSize(sized, current.length);
      current.push(sized);
    }
    if (current.length > 0) out.push(current);
    return out;
  }

  private async connection(state: ProducerState, nodeId: number): Promise<BrokerConnection> {
    const existing = state.connections.get(nodeId);
    if (existing?.alive) return existing;
    const broker = state.metadata.brokers.find((b) => b.nodeId === nodeId);
    if (broker === undefined) throw new Error(`Kafka broker ${nodeId} is not in the cluster metadata`);
    const conn = this.newConnection(broker.host, broker.port);
    await conn.open();
    // A disconnect while this connection opened closed every connection it knew of, not this one:
    // kept, it would hold a socket open (and the process alive) for a producer nobody uses.
    if (this.discarded(state)) {
      conn.close();
      throw new Error(`Kafka producer disconnected while connecting to broker ${nodeId}`);
    }
    state.connections.set(nodeId, conn);
    return conn;
  }

  /** Whether `state` is no longer this producer's (a disconnect, or a connect since). */
  private discarded(state: ProducerState): boolean {
    return this.state === null || this.state.connections !== state.connections;
  }

  private async refreshMetadata(state: ProducerState): Promise<ProducerState> {
    const anyBroker = state.metadata.brokers[0];
    let metadata: Metadata;
    if (anyBroker !== undefined) {
      metadata = await this.fetchMetadata(await this.connection(state, anyBroker.nodeId), [
        ...this.knownTopics,
      ]);
    } else {
      // No broker known: ask a bootstrap broker, on a connection of its own, closed after.
      const bootstrap = await this.bootstrap();
      try {
        metadata = await this.fetchMetadata(bootstrap, [...this.knownTopics]);
      } finally {
        bootstrap.close();
      }
    }
    // Not after a disconnect meanwhile: that would bring its closed connections back to life.
    if (this.discarded(state)) throw new Error('Kafka producer disconnected while refreshing metadata');
    const next = { ...state, metadata };
    this.state = next;
    return next;
  }

  private async fetchMetadata(conn: BrokerConnection, topics: readonly string[]): Promise<Metadata> {
    return readMetadata(await conn.request(API.metadata, (w) => writeMetadataRequest(w, topics)));
  }

  /** A connection to the first bootstrap broker that answers, after checking it speaks our versions. */
  private async bootstrap(): Promise<BrokerConnection> {
    const errors: string[] = [];
    for (const b of this.o.brokers) {
      const { host, port } = parseBroker(b);
      const conn = this.newConnection(host, port);
      try {
        await conn.open();
        const { errorCode, versions } = readApiVersions(await conn.request(API.apiVersions, () => {}));
        if (errorCode !== 0) throw new KafkaResponseError(errorCode, `to ApiVersions from ${b}`);
        for (const key of [API.produce, API.metadata, API.initProducerId]) {
          const range = versions.get(key);
          if (range === undefined || VERSION[key] < range.min || VERSION[key] > range.max) {
            throw new KafkaResponseError(
              35,
              `: broker ${b} does not accept version ${VERSION[key]} of API ${key} (${range ? `${range.min}–${range.max}` : 'absent'})`,
            );
          }
        }
        return conn;
      } catch (err) {
        conn.close();
        if (err instanceof KafkaResponseError) throw err;
        errors.push(errorMessage(err));
      }
    }
    throw new Error(`no Kafka bootstrap broker answered: ${errors.join('; ')}`);
  }

  private newConnection(host: string, port: number): BrokerConnection {
    return new BrokerConnection({
      host,
      port,
      clientId: this.o.clientId,
      connectTimeoutMs: this.connectTimeoutMs,
      requestTimeoutMs: this.requestTimeoutMs,
    });
  }
}
