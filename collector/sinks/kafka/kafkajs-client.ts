/**
 * kafkajs clients configured the way this project needs them: its logs go to our logger at debug
 * level (kafkajs logs every failed connection attempt as an ERROR; the sink reports outages
 * itself, once per failed write), few and quick retries (the sink runner does the long waiting
 * with its own backoff), and timeouts short enough that a write to a dead cluster fails in seconds.
 */
import { Kafka, type KafkaConfig, logLevel } from 'kafkajs';
import type { Logger } from '../../../common/logger.js';

export interface KafkaClientOptions {
  readonly brokers: readonly string[];
  readonly clientId: string;
  readonly logger: Logger;
  /** TCP connect timeout (default 3 s). */
  readonly connectionTimeoutMs?: number;
  /** Per request (default 10 s). */
  readonly requestTimeoutMs?: number;
  /** kafkajs' own quick retries before a call fails (default 2). */
  readonly retries?: number;
}

export function kafkaClient(options: KafkaClientOptions): Kafka {
  const log = options.logger.child({ lib: 'kafkajs' });
  const config: KafkaConfig = {
    clientId: options.clientId,
    brokers: [...options.brokers],
    connectionTimeout: options.connectionTimeoutMs ?? 3_000,
    requestTimeout: options.requestTimeoutMs ?? 10_000,
    retry: { retries: options.retries ?? 2, initialRetryTime: 200, maxRetryTime: 2_000 },
    logLevel: logLevel.WARN,
    logCreator:
      () =>
      ({ namespace, log: entry }) => {
        const { message, ...rest } = entry;
        log.debug({ namespace, ...rest }, String(message));
      },
  };
  return new Kafka(config);
}
