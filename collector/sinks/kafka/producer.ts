/**
 * The little of a Kafka producer the sink needs, as our own interface: kafkajs is no longer
 * released, and a team may want another client (node-rdkafka, confluent-kafka-javascript). Two
 * implementations ship: our own produce path (wire/wire-producer.ts, the default) and the
 * kafkajs adapter (kafkajs-producer.ts); anything that can connect, send
 * keyed messages with headers to several topics with acks from all in-sync replicas, and
 * disconnect can replace it.
 */
export interface ProducerMessage {
  readonly key: string;
  /**
   * The record's JSON as UTF-8 bytes (the very bytes of its JSONL line, without copying them
   * through a string), or as text that goes on the wire as UTF-8.
   */
  readonly value: string | Buffer;
  readonly headers: Readonly<Record<string, string>>;
}

export interface TopicMessages {
  readonly topic: string;
  readonly messages: readonly ProducerMessage[];
}

export interface ProducerConnection {
  /** Whether the broker gave us an idempotent producer id (retries cannot duplicate within it). */
  readonly idempotent: boolean;
  /** Why not, when it did not: shown in the sink's status. */
  readonly note: string | null;
}

export interface KafkaProducerPort {
  /**
   * Connect (again, after `disconnect` or a failure). Rejects with an error `classifyKafkaError`
   * understands when the cluster cannot be reached.
   */
  connect(): Promise<ProducerConnection>;
  /** Resolves once every message is acknowledged by all in-sync replicas (acks = all). */
  send(batch: readonly TopicMessages[]): Promise<void>;
  disconnect(): Promise<void>;
  /** Best effort: create what is missing; implementations may not be able to (the mock cannot). */
  createTopics?(topics: readonly string[]): Promise<void>;
}
