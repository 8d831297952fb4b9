export { isNotNewerId, redisError } from './errors.js';
export {
  DEFAULT_KEY_PREFIX,
  parseLatestKey,
  parseStreamId,
  type RedisKeys,
  redisKeys,
  streamId,
} from './keys.js';
export {
  REDIS_SINK_DEFAULTS,
  type RedisSinkOptions,
  type ResolvedRedisSinkOptions,
  redisSinkOptionsFromEnv,
  resolveRedisSinkOptions,
} from './options.js';
export { createRedisSink, RedisSink, type RedisSinkDeps, type RedisSinkStats } from './redis-sink.js';
export { LATEST_SCRIPT, SESSION_EPOCH_SCRIPT } from './scripts.js';
