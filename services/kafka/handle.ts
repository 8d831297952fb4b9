import type { ServiceHandle } from '../shared/handle.js';
import type { KafkaTopic } from './options.js';

/** A started Kafka (or Kafka-protocol mock): `brokers` is the bootstrap list, `host:port` each. */
export interface KafkaHandle extends ServiceHandle {
  readonly name: 'kafka';
  readonly brokers: string[];
  /** The topics created up front (none for source `env`: that cluster is as we found it). */
  readonly topics: readonly KafkaTopic[];
}
