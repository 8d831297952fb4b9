import { containerRuntime } from '../shared/container-runtime.js';
import { resolveContext } from '../shared/context.js';
import type { ProvisionContext } from '../shared/handle.js';
import { startKafkaContainer } from './container.js';
import { useKafkaFromEnv } from './env.js';
import type { KafkaHandle } from './handle.js';
import { startKafkaMock } from './local.js';
import { type KafkaOptions, resolveKafkaOptions } from './options.js';

export type { KafkaHandle } from './handle.js';
export { DEFAULT_TOPICS, type KafkaOptions, type KafkaTopic } from './options.js';

/**
 * A Kafka for tests and runs, from the first step that can give one:
 * KAFKA_BROKERS → a KRaft container (when a runtime answers) → librdkafka's mock cluster run by
 * our launcher (built with gcc on first use). Throws SERVICE_UNAVAILABLE naming what to install
 * when none can.
 */
export async function provisionKafka(options: KafkaOptions, context: ProvisionContext): Promise<KafkaHandle> {
  const ctx = resolveContext(context);
  const resolved = resolveKafkaOptions(options, ctx.env);
  if (resolved.brokers !== null) return useKafkaFromEnv(resolved.brokers, ctx);
  const tc = await containerRuntime(ctx.env, ctx.logger);
  if (tc !== null) return startKafkaContainer(tc, resolved, ctx);
  return startKafkaMock(resolved, ctx);
}
