import { setContainerPaused } from '../shared/container-runtime.js';
import { alreadyStopped, type ResolvedContext } from '../shared/context.js';
import { pollUntil } from '../shared/poll.js';
import { createKafkaTopics, kafkaDescribe } from './admin.js';
import type { KafkaHandle } from './handle.js';
import type { ResolvedKafkaOptions } from './options.js';

type Testcontainers = typeof import('testcontainers');

/** The port @testcontainers/kafka publishes its PLAINTEXT listener on. */
const KAFKA_CLIENT_PORT = 9093;

/**
 * A single-node Kafka in KRaft mode; topics created through the admin API (real Kafka has it).
 * Paused and unpaused in place, so its data survives an outage.
 */
export async function startKafkaContainer(
  tc: Testcontainers,
  options: ResolvedKafkaOptions,
  ctx: ResolvedContext,
): Promise<KafkaHandle> {
  const { KafkaContainer } = await import('@testcontainers/kafka');
  const container = await new KafkaContainer(options.image).withKraft().start();
  const brokers = [`${container.getHost()}:${container.getMappedPort(KAFKA_CLIENT_PORT)}`];
  try {
    await createKafkaTopics(brokers, options.topics, 30_000);
  } catch (err) {
    await container.stop();
    throw err;
  }
  const version = options.image;
  ctx.logger.info(
    { service: 'kafka', source: 'testcontainers', image: options.image, brokers },
    'service ready',
  );
  let paused = false;
  let stopped = false;
  return {
    name: 'kafka',
    source: 'testcontainers',
    brokers,
    topics: options.topics,
    version,
    outage: 'kept',
    pause: async () => {
      if (stopped) throw alreadyStopped('kafka');
      if (paused) return;
      await setContainerPaused(tc, container.getId(), true);
      paused = true;
    },
    resume: async () => {
      if (stopped) throw alreadyStopped('kafka');
      if (!paused) return;
      await setContainerPaused(tc, container.getId(), false);
      paused = false;
      await pollUntil(async () => ((await kafkaDescribe(brokers, 2_000)) > 0 ? true : undefined), {
        clock: ctx.clock,
        timeoutMs: 30_000,
        intervalMs: 100,
        what: `Kafka container ${container.getId().slice(0, 12)} to answer metadata after unpause`,
      });
    },
    stop: async () => {
      if (stopped) return;
      stopped = true;
      if (paused) await setContainerPaused(tc, container.getId(), false);
      await container.stop();
    },
    describe: () => `testcontainers ${version}`,
  };
}
