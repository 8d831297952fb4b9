import { L2hError } from '../../../common/errors.js';
import { RECORD_KINDS, type RecordKind } from '../../records/types.js';

/** CONTRACTS §2: `iqfeed.l2`, `iqfeed.l1`, `iqfeed.ticks`, and `iqfeed.gaps` for gap markers. */
export const DEFAULT_TOPIC_PREFIX = 'iqfeed.';

const TOPIC = /^[A-Za-z0-9._-]{1,249}$/;

/** Topic per record kind: `<prefix><kind>`. */
export function topicsFor(prefix: string): Readonly<Record<RecordKind, string>> {
  const topics = Object.fromEntries(RECORD_KINDS.map((k) => [k, `${prefix}${k}`])) as Record<
    RecordKind,
    string
  >;
  for (const t of Object.values(topics)) {
    if (!TOPIC.test(t)) {
      throw new L2hError(
        `Kafka topic prefix ${JSON.stringify(prefix)} makes the topic name ${JSON.stringify(t)}, which Kafka refuses`,
        {
          code: 'BAD_USAGE',
          hint: 'a topic name is 1-249 characters of A-Z a-z 0-9 . _ -',
        },
      );
    }
  }
  return topics;
}

/** The record kind a topic holds under `prefix`, or null when it is none of ours. */
export function kindOfTopic(prefix: string, topic: string): RecordKind | null {
  if (!topic.startsWith(prefix)) return null;
  const rest = topic.slice(prefix.length);
  return RECORD_KINDS.find((k) => k === rest) ?? null;
}

/** `host:port,host:port` → the list, each entry checked. */
export function parseBrokers(text: string): string[] {
  const brokers = text
    .split(',')
    .map((b) => b.trim())
    .filter((b) => b !== '');
  if (brokers.length === 0)
    throw new L2hError('no Kafka broker given', { code: 'BAD_USAGE', hint: 'e.g. --kafka 127.0.0.1:9092' });
  for (const b of brokers) {
    if (b.startsWith('[')) {
      // kafkajs (topic creation, `l2h consume`) splits an address at its first ':'.
      throw new L2hError(`Kafka broker ${JSON.stringify(b)}: an IPv6 address is not supported`, {
        code: 'BAD_USAGE',
        context: { value: text },
        hint: 'give a host name that resolves to it (e.g. one in /etc/hosts), as host:port',
      });
    }
    if (!/^[^\s:/]+:\d{1,5}$/.test(b)) {
      throw new L2hError(`Kafka broker ${JSON.stringify(b)} is not host:port`, {
        code: 'BAD_USAGE',
        context: { value: text },
        hint: 'e.g. 127.0.0.1:9092,127.0.0.1:9093',
      });
    }
  }
  return brokers;
}
