import type { Clock } from '../common/clock.js';
import type { Logger } from '../common/logger.js';
import { type ClickHouseHandle, type ClickHouseOptions, provisionClickHouse } from './clickhouse/index.js';
import { type KafkaHandle, type KafkaOptions, provisionKafka } from './kafka/index.js';
import { provisionRedis, type RedisHandle, type RedisOptions } from './redis/index.js';
import type { Env, ServiceHandle } from './shared/handle.js';
import { servicesUnavailable } from './shared/unavailable.js';

export type { ClickHouseHandle, ClickHouseOptions } from './clickhouse/index.js';
export { provisionClickHouse } from './clickhouse/index.js';
export {
  DEFAULT_TOPICS,
  type KafkaHandle,
  type KafkaOptions,
  type KafkaTopic,
  provisionKafka,
} from './kafka/index.js';
export { provisionRedis, type RedisHandle, type RedisOptions } from './redis/index.js';
export type {
  Env,
  OutageEffect,
  ProvisionContext,
  ServiceHandle,
  ServiceName,
  ServiceSource,
} from './shared/handle.js';

export interface ProvisionServicesOptions {
  /** `true` for defaults, options to tune, absent or `false` to leave it out. */
  readonly clickhouse?: boolean | ClickHouseOptions;
  readonly kafka?: boolean | KafkaOptions;
  readonly redis?: boolean | RedisOptions;
  readonly logger: Logger;
  /** Defaults to `process.env`. */
  readonly env?: Env;
  readonly clock?: Clock;
}

export interface ProvisionedServices {
  readonly clickhouse: ClickHouseHandle | null;
  readonly kafka: KafkaHandle | null;
  readonly redis: RedisHandle | null;
  /** `{ clickhouse: "local 18.16.1", … }`, the shape of a run identity's `services`. */
  describe(): Record<string, string>;
  /** Stop every service that was started here; safe to call twice. */
  stopAll(): Promise<void>;
}

function optionsOf<T extends object>(flag: boolean | T | undefined): T | null {
  if (flag === undefined || flag === false) return null;
  return flag === true ? ({} as T) : flag;
}

/**
 * Start the services asked for, all at once. If any cannot be provided, the others are stopped
 * again and one SERVICE_UNAVAILABLE error lists every missing piece and the command that
 * installs it: services are never skipped silently.
 */
export async function provisionServices(options: ProvisionServicesOptions): Promise<ProvisionedServices> {
  const ctx = { logger: options.logger, env: options.env, clock: options.clock };
  const ch = optionsOf(options.clickhouse);
  const kf = optionsOf(options.kafka);
  const rd = optionsOf(options.redis);
  const [clickhouse, kafka, redis] = await Promise.allSettled([
    ch ? provisionClickHouse(ch, ctx) : Promise.resolve(null),
    kf ? provisionKafka(kf, ctx) : Promise.resolve(null),
    rd ? provisionRedis(rd, ctx) : Promise.resolve(null),
  ]);
  const settled = [clickhouse, kafka, redis];
  const started = settled.flatMap((s) => (s.status === 'fulfilled' && s.value !== null ? [s.value] : []));
  const failures = settled.flatMap((s) => (s.status === 'rejected' ? [toError(s.reason)] : []));
  if (failures.length > 0) {
    await stopEach(started, options.logger);
    throw servicesUnavailable(failures);
  }
  const value = <T>(s: PromiseSettledResult<T>): T | null => (s.status === 'fulfilled' ? s.value : null);
  let stopping: Promise<void> | null = null;
  return {
    clickhouse: value(clickhouse),
    kafka: value(kafka),
    redis: value(redis),
    describe: () => Object.fromEntries(started.map((h) => [h.name, h.describe()])),
    stopAll: () => {
      stopping ??= stopEach(started, options.logger);
      return stopping;
    },
  };
}

function toError(reason: unknown): Error {
  return reason instanceof Error ? reason : new Error(String(reason));
}

/** Stop all in parallel; a failure to stop one is logged and does not keep the others running. */
async function stopEach(handles: readonly ServiceHandle[], logger: Logger): Promise<void> {
  const results = await Promise.allSettled(handles.map((h) => h.stop()));
  results.forEach((r, i) => {
    if (r.status === 'rejected')
      logger.warn({ service: handles[i]?.name, err: r.reason }, 'stopping a service failed');
  });
}
