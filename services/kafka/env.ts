import { errorMessage, L2hError } from '../../common/errors.js';
import { notPausable, type ResolvedContext } from '../shared/context.js';
import { kafkaDescribe } from './admin.js';
import type { KafkaHandle } from './handle.js';

/**
 * Use the cluster KAFKA_BROKERS lists; fail now, naming the variable, if it does not answer.
 * Topics are left as found: the cluster's owner decides whether they exist.
 */
export async function useKafkaFromEnv(
  brokers: readonly string[],
  ctx: ResolvedContext,
): Promise<KafkaHandle> {
  try {
    await kafkaDescribe(brokers, 5_000);
  } catch (err) {
    throw new L2hError(
      `KAFKA_BROKERS=${brokers.join(',')} does not answer a metadata request: ${errorMessage(err)}`,
      {
        code: 'SERVICE_UNAVAILABLE',
        cause: err,
        context: { service: 'kafka', brokers: brokers.join(',') },
        hint: 'start that cluster, or unset KAFKA_BROKERS to have one started for you',
      },
    );
  }
  // The Kafka protocol does not report a server version, and we did not choose this cluster.
  const version = 'unknown';
  ctx.logger.info({ service: 'kafka', source: 'env', brokers }, 'service ready');
  return {
    name: 'kafka',
    source: 'env',
    brokers: [...brokers],
    topics: [],
    version,
    outage: null,
    pause: () => Promise.reject(notPausable('kafka', 'KAFKA_BROKERS')),
    resume: () => Promise.reject(notPausable('kafka', 'KAFKA_BROKERS')),
    stop: () => Promise.resolve(),
    describe: () => `env ${version}`,
  };
}
