import { Kafka, logLevel } from 'kafkajs';
import type { KafkaTopic } from './options.js';

function client(brokers: readonly string[], timeoutMs: number): Kafka {
  return new Kafka({
    clientId: 'l2h-services',
    brokers: [...brokers],
    logLevel: logLevel.NOTHING,
    connectionTimeout: timeoutMs,
    requestTimeout: timeoutMs,
    retry: { retries: 1 },
  });
}

/** Resolves when the cluster answers a metadata request; rejects with kafkajs' error otherwise. */
export async function kafkaDescribe(brokers: readonly string[], timeoutMs: number): Promise<number> {
  const admin = client(brokers, timeoutMs).admin();
  await admin.connect();
  try {
    return (await admin.describeCluster()).brokers.length;
  } finally {
    await admin.disconnect();
  }
}

/**
 * Create the topics a real Kafka lacks (already existing ones are left alone). Only for real
 * brokers: the librdkafka mock has no CreateTopics API, its launcher pre-creates instead.
 */
export async function createKafkaTopics(
  brokers: readonly string[],
  topics: readonly KafkaTopic[],
  timeoutMs: number,
): Promise<void> {
  const admin = client(brokers, timeoutMs).admin();
  await admin.connect();
  try {
    await admin.createTopics({
      waitForLeaders: true,
      topics: topics.map((t) => ({ topic: t.name, numPartitions: t.partitions, replicationFactor: 1 })),
    });
  } finally {
    await admin.disconnect();
  }
}
