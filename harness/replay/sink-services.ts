import type { SinkName } from '../../collector/sinks/sink.js';
import type { Logger } from '../../common/logger.js';
import { type ProvisionedServices, provisionServices } from '../../services/index.js';
import type { Check } from '../results/types.js';
import { clickhouseSource } from '../verify/sinks/clickhouse-source.js';
import { kafkaSource } from '../verify/sinks/kafka-source.js';
import { redisChecks } from '../verify/sinks/redis-check.js';
import type { SinkRecordSource } from '../verify/sinks/source.js';
import type { VerifyOutcome } from '../verify/verify-run.js';

/**
 * The services a replay's sinks need, and how the run reaches them: endpoints handed to the
 * collector through its environment (a password in a URL never lands in `ps` or the run's
 * recorded command line), names private to the run (database, topic prefix, key prefix), the
 * read-back sources the verifier uses, and the Redis checks. Services we started are stopped
 * after verification; services given by URL are left as found.
 */
export interface SinkServices {
  readonly env: Readonly<Record<string, string>>;
  readonly collectorArgs: readonly string[];
  readonly sources: readonly SinkRecordSource[];
  readonly describe: Readonly<Record<string, string>>;
  extraChecks(outcome: VerifyOutcome, dataDir: string): Promise<Check[]>;
  stop(): Promise<void>;
}

const REDIS_STREAM_MAXLEN = 10_000;

/** A name fragment unique to the run, safe in a ClickHouse identifier, a topic and a Redis key. */
function runTag(runId: string): string {
  return runId.replace(/[^A-Za-z0-9]/g, '_').slice(-40);
}

export async function prepareSinkServices(
  sinks: readonly SinkName[],
  runId: string,
  logger: Logger,
): Promise<SinkServices> {
  const want = {
    clickhouse: sinks.includes('clickhouse'),
    kafka: sinks.includes('kafka'),
    redis: sinks.includes('redis'),
  };
  if (!want.clickhouse && !want.kafka && !want.redis) {
    return {
      env: {},
      collectorArgs: [],
      sources: [],
      describe: {},
      extraChecks: async () => [],
      stop: async () => {},
    };
  }
  const tag = runTag(runId);
  // A broker given by URL is shared: a prefix of our own keeps runs apart. Our own mock is fresh
  // for this run and pre-creates the default topics (topics it auto-creates keep a 5 MiB cap).
  const sharedKafka = Boolean(process.env.KAFKA_BROKERS);
  const topicPrefix = sharedKafka ? `l2h.${tag}.` : 'iqfeed.';
  const services: ProvisionedServices = await provisionServices({
    clickhouse: want.clickhouse,
    kafka: want.kafka,
    redis: want.redis,
    logger,
  });
  const env: Record<string, string> = {};
  const args: string[] = [];
  const sources: SinkRecordSource[] = [];
  const database = `l2h_${tag}`;
  const keyPrefix = `l2h:${tag}:`;
  if (services.clickhouse) {
    env.CLICKHOUSE_URL = services.clickhouse.url;
    args.push('--clickhouse-db', database);
    sources.push(clickhouseSource({ url: services.clickhouse.url, database }));
  }
  if (services.kafka) {
    env.KAFKA_BROKERS = services.kafka.brokers.join(',');
    args.push('--kafka-topic-prefix', topicPrefix);
    sources.push(kafkaSource({ brokers: services.kafka.brokers, topicPrefix }));
  }
  if (services.redis) {
    env.REDIS_URL = services.redis.url;
    args.push('--redis-prefix', keyPrefix, '--redis-stream-maxlen', String(REDIS_STREAM_MAXLEN));
  }
  return {
    env,
    collectorArgs: args,
    sources,
    describe: services.describe(),
    async extraChecks(outcome, dataDir) {
      if (!services.redis) return [];
      return redisChecks({
        url: services.redis.url,
        keyPrefix,
        streamMaxLen: REDIS_STREAM_MAXLEN,
        expectedLast: outcome.expected.last,
        jsonlDir: dataDir,
      });
    },
    stop: () => services.stopAll(),
  };
}
