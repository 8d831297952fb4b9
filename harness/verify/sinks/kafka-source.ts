import { RECORD_KINDS } from '../../../collector/records/types.js';
import { readTopics } from '../../../collector/sinks/kafka/topic-reader.js';
import { DEFAULT_TOPIC_PREFIX, kindOfTopic, topicsFor } from '../../../collector/sinks/kafka/topics.js';
import { type Logger, silentLogger } from '../../../common/logger.js';
import type { SinkRecord, SinkRecordSource } from './source.js';

export interface KafkaSourceOptions {
  readonly brokers: readonly string[];
  /** As the sink was given (default `iqfeed.`). */
  readonly topicPrefix?: string;
  /**
   * Keep only messages whose `session` header is this one (topics shared by several runs).
   * Default: every message, so a record of a wrong session shows up as unexpected.
   */
  readonly session?: string;
  readonly logger?: Logger;
  /** Fail when the read stops moving before the end offsets for this long (default 60 s). */
  readonly stallTimeoutMs?: number;
}

/**
 * What the Kafka sink holds, read back for verification: every topic of the four kinds from the
 * first retained message to the end offsets taken when the read starts, through a fresh consumer
 * group that commits nothing. Duplicates are *not* collapsed (Kafka keeps every copy a retry
 * delivered): the verifier counts them. `where` is `topic/partition@offset`.
 *
 * A message's value is parsed as it is; one that is not a JSON object comes back with
 * `record: null` and its text in `raw`.
 */
export function kafkaSource(options: KafkaSourceOptions): SinkRecordSource {
  const prefix = options.topicPrefix ?? DEFAULT_TOPIC_PREFIX;
  const topics = topicsFor(prefix);
  return {
    name: 'kafka',
    dedup: null,
    async *batches() {
      for await (const messages of readTopics({
        brokers: options.brokers,
        topics: RECORD_KINDS.map((k) => topics[k]),
        fromBeginning: true,
        untilEnd: true,
        logger: options.logger ?? silentLogger,
        stallTimeoutMs: options.stallTimeoutMs,
        clientId: 'l2h-verify',
      })) {
        const batch: SinkRecord[] = [];
        for (const m of messages) {
          if (options.session !== undefined && m.headers['session'] !== options.session) continue;
          const kind = kindOfTopic(prefix, m.topic);
          if (kind === null) continue;
          const where = `${m.topic}/${m.partition}@${m.offset}`;
          const text = m.value === null ? '' : m.value.toString('utf8');
          let record: Record<string, unknown> | null = null;
          try {
            const v: unknown = JSON.parse(text);
            if (v !== null && typeof v === 'object' && !Array.isArray(v))
              record = v as Record<string, unknown>;
          } catch {
            record = null;
          }
          batch.push(
            record === null ? { kind, record, where, raw: text.slice(0, 300) } : { kind, record, where },
          );
        }
        if (batch.length > 0) yield batch;
      }
    },
  };
}
