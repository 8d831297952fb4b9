import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { L2hError } from '../../common/errors.js';
import { envValue } from '../shared/context.js';
import type { Env } from '../shared/handle.js';

export interface KafkaTopic {
  readonly name: string;
  readonly partitions: number;
}

export interface KafkaOptions {
  /** An existing cluster to use instead of starting one. Env: KAFKA_BROKERS (`host:port,host:port`). */
  readonly brokers?: readonly string[];
  /** Topics to pre-create besides the defaults (the mock auto-creates others with 4 partitions and 5 MiB retention). */
  readonly topics?: readonly KafkaTopic[];
  /** Brokers of the local mock cluster (ids 1..N). */
  readonly brokerCount?: number;
  /** Where the mock launcher binary lives; built there when missing or older than its source. Env: KAFKA_MOCK_LAUNCHER. */
  readonly launcher?: string;
  /** The C compiler that builds the launcher. Env: CC. */
  readonly compiler?: string;
  /** The image of the testcontainers step. Env: KAFKA_IMAGE. */
  readonly image?: string;
  /** How long the launcher may take to print its bootstrap line. */
  readonly startTimeoutMs?: number;
}

export interface ResolvedKafkaOptions {
  readonly brokers: readonly string[] | null;
  readonly topics: readonly KafkaTopic[];
  readonly brokerCount: number;
  readonly launcher: string;
  readonly launcherSource: string;
  readonly compiler: string;
  readonly image: string;
  readonly startTimeoutMs: number;
}

/** Topics the collector writes to (CONTRACTS §2) plus the gap records' topic. */
export const DEFAULT_TOPICS: readonly KafkaTopic[] = [
  { name: 'iqfeed.l2', partitions: 4 },
  { name: 'iqfeed.l1', partitions: 4 },
  { name: 'iqfeed.ticks', partitions: 4 },
  { name: 'iqfeed.gaps', partitions: 4 },
];

export const KAFKA_DEFAULTS = {
  brokerCount: 1,
  compiler: 'gcc',
  image: 'confluentinc/cp-kafka:7.6.1',
  // The launcher starts in 7 ms typically, but topic creation sometimes waits for the mock's 1 s timer.
  startTimeoutMs: 5_000,
} as const;

const SOURCE_IN_REPO = join('services', 'kafka', 'mock-launcher.c');
/** Gitignored, so a build never shows up as a change. */
const BINARY_IN_REPO = join('services', 'kafka-mock', 'bin', 'mock-launcher');

/**
 * The repository (or installed package) root: the nearest ancestor of this module that holds
 * the launcher source. This module runs from `services/kafka/` under vitest and from
 * `dist/services/kafka/` once built. When no ancestor has it (a package shipped without the
 * source), the guess is two levels up, and building the launcher reports the missing file.
 */
export function packageRoot(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  for (let dir = here, i = 0; i < 8; i++, dir = dirname(dir)) {
    if (existsSync(join(dir, SOURCE_IN_REPO))) return dir;
  }
  return join(here, '..', '..');
}

const TOPIC_NAME = /^[A-Za-z0-9._-]{1,249}$/;

function checkTopics(topics: readonly KafkaTopic[]): void {
  for (const t of topics) {
    if (
      !TOPIC_NAME.test(t.name) ||
      !Number.isInteger(t.partitions) ||
      t.partitions < 1 ||
      t.partitions > 1000
    ) {
      throw new L2hError(`Bad Kafka topic ${JSON.stringify(t)}`, {
        code: 'BAD_USAGE',
        hint: 'a topic name is 1-249 chars of [A-Za-z0-9._-], with 1..1000 partitions',
      });
    }
  }
}

/** "h1:9092, h2:9092" → ["h1:9092", "h2:9092"]. */
export function parseBrokerList(value: string): string[] {
  const brokers = value
    .split(',')
    .map((b) => b.trim())
    .filter(Boolean);
  for (const b of brokers) {
    if (!/^[^\s:]+:\d{1,5}$/.test(b)) {
      throw new L2hError(`KAFKA_BROKERS entry "${b}" is not host:port`, {
        code: 'BAD_USAGE',
        context: { value },
        hint: 'KAFKA_BROKERS=host:port[,host:port...]',
      });
    }
  }
  return brokers;
}

/** Options beat environment variables, which beat defaults. Topics are defaults plus extras. */
export function resolveKafkaOptions(options: KafkaOptions, env: Env): ResolvedKafkaOptions {
  const fromEnv = envValue(env, 'KAFKA_BROKERS');
  const extra = (options.topics ?? []).filter((t) => !DEFAULT_TOPICS.some((d) => d.name === t.name));
  const overridden = DEFAULT_TOPICS.map((d) => options.topics?.find((t) => t.name === d.name) ?? d);
  const topics = [...overridden, ...extra];
  checkTopics(topics);
  const brokerCount = options.brokerCount ?? KAFKA_DEFAULTS.brokerCount;
  if (!Number.isInteger(brokerCount) || brokerCount < 1 || brokerCount > 32) {
    throw new L2hError(`Bad Kafka mock broker count ${brokerCount}`, {
      code: 'BAD_USAGE',
      hint: 'use 1..32',
    });
  }
  const root = packageRoot();
  return {
    brokers: options.brokers ?? (fromEnv ? parseBrokerList(fromEnv) : null),
    topics,
    brokerCount,
    launcher: options.launcher ?? envValue(env, 'KAFKA_MOCK_LAUNCHER') ?? join(root, BINARY_IN_REPO),
    launcherSource: join(root, SOURCE_IN_REPO),
    compiler: options.compiler ?? envValue(env, 'CC') ?? KAFKA_DEFAULTS.compiler,
    image: options.image ?? envValue(env, 'KAFKA_IMAGE') ?? KAFKA_DEFAULTS.image,
    startTimeoutMs: options.startTimeoutMs ?? KAFKA_DEFAULTS.startTimeoutMs,
  };
}
