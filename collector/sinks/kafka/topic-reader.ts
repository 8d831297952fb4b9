/**
 * Reading Kafka topics as batches of messages, for the verifier's read-back and `l2h consume`.
 *
 * - `untilEnd`: the end of every partition is taken (ListOffsets) before reading starts, and the
 *   read finishes once each partition reached it, so reading a topic that is still being written
 *   terminates. A partition that stops making progress before its end fails the read after
 *   `stallTimeoutMs`, naming it, instead of hanging.
 * - Otherwise it follows the topics until `signal` aborts.
 *
 * kafkajs can only consume through a group, so each read joins one: by default a fresh group
 * that commits nothing (its offsets would be litter), or the named `groupId`, which commits as it
 * goes so the next read with that group continues where this one stopped. The librdkafka mock
 * makes a group's first join wait 3 s and a rebalance up to sessionTimeout − 1 s, hence the
 * short session timeout (SERVICES.md §2).
 */
import { randomUUID } from 'node:crypto';
import type { Admin, Consumer, Kafka } from 'kafkajs';
import { type Clock, systemClock } from '../../../common/clock.js';
import { L2hError } from '../../../common/errors.js';
import type { Logger } from '../../../common/logger.js';
import { classifyKafkaError } from './errors.js';
import { kafkaClient } from './kafkajs-client.js';

export interface ReadTopicsOptions {
  readonly brokers: readonly string[];
  readonly topics: readonly string[];
  readonly logger: Logger;
  readonly clock?: Clock;
  /** Where a group without committed offsets starts: the first retained message, or the end. */
  readonly fromBeginning: boolean;
  /** A consumer group to read as (commits offsets); default a fresh one that commits nothing. */
  readonly groupId?: string;
  readonly untilEnd: boolean;
  /** With `untilEnd`: fail when no partition moved for this long (default 60 s). */
  readonly stallTimeoutMs?: number;
  /** Stops the read (both modes); the generator then returns normally. */
  readonly signal?: AbortSignal;
  readonly clientId?: string;
  /** Messages buffered ahead of the reader before fetching pauses (default 50,000). */
  readonly bufferMessages?: number;
}

export interface ReadMessage {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: Readonly<Record<string, string>>;
}

interface PartitionEnd {
  readonly topic: string;
  readonly partition: number;
  /** The offset the next message would get when reading started: we read up to end − 1. */
  readonly end: bigint;
  /** The next offset to read. */
  next: bigint;
}

/** A bounded hand-over from kafkajs' push (eachBatch) to our pull (the async generator). */
class Channel {
  private readonly items: ReadMessage[][] = [];
  private size = 0;
  private wakeReader: (() => void) | null = null;
  private wakeWriter: (() => void) | null = null;
  ended = false;
  failure: Error | null = null;

  constructor(private readonly capacity: number) {}

  get full(): boolean {
    return this.size >= this.capacity;
  }

  push(batch: ReadMessage[]): void {
    this.items.push(batch);
    this.size += batch.length;
    this.wake();
  }

  end(failure: Error | null = null): void {
    if (this.ended) return;
    this.ended = true;
    this.failure = failure;
    this.wake();
    this.wakeWriter?.();
  }

  private wake(): void {
    const w = this.wakeReader;
    this.wakeReader = null;
    w?.();
  }

  take(): ReadMessage[] | null {
    const b = this.items.shift();
    if (b === undefined) return null;
    this.size -= b.length;
    const w = this.wakeWriter;
    this.wakeWriter = null;
    w?.();
    return b;
  }

  /** Resolves when something arrived or the channel ended (or `ms` passed). */
  readable(clock: Clock, ms: number): Promise<void> {
    if (this.items.length > 0 || this.ended) return Promise.resolve();
    return new Promise((resolve) => {
      const t = clock.setTimeout(() => {
        this.wakeReader = null;
        resolve();
      }, ms);
      this.wakeReader = () => {
        t.cancel();
        resolve();
      };
    });
  }

  /** Resolves when there is room again (or `ms` passed, so the writer can heartbeat). */
  writable(clock: Clock, ms: number): Promise<void> {
    if (!this.full || this.ended) return Promise.resolve();
    return new Promise((resolve) => {
      const t = clock.setTimeout(() => {
        this.wakeWriter = null;
        resolve();
      }, ms);
      this.wakeWriter = () => {
        t.cancel();
        resolve();
      };
    });
  }
}

function headerText(headers: Readonly<Record<string, unknown>> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!headers) return out;
  for (const [k, v] of Object.entries(headers)) {
    if (Buffer.isBuffer(v)) out[k] = v.toString('utf8');
    else if (typeof v === 'string') out[k] = v;
    else if (Array.isArray(v))
      out[k] = v.map((x) => (Buffer.isBuffer(x) ? x.toString('utf8') : String(x))).join(',');
  }
  return out;
}

/** End offsets (and, for `untilEnd`, where reading starts) of every partition of `topics`. */
async function partitionEnds(
  admin: Admin,
  topics: readonly string[],
  groupId: string | undefined,
  fromBeginning: boolean,
): Promise<PartitionEnd[]> {
  const committed = new Map<string, bigint>();
  if (groupId !== undefined) {
    for (const t of await admin.fetchOffsets({ groupId, topics: [...topics] })) {
      for (const p of t.partitions)
        if (BigInt(p.offset) >= 0n) committed.set(`${t.topic}/${p.partition}`, BigInt(p.offset));
    }
  }
  const out: PartitionEnd[] = [];
  for (const topic of topics) {
    for (const p of await admin.fetchTopicOffsets(topic)) {
      const end = BigInt(p.high);
      const start = committed.get(`${topic}/${p.partition}`) ?? (fromBeginning ? BigInt(p.low) : end);
      out.push({ topic, partition: p.partition, end, next: start });
    }
  }
  return out;
}

/**
 * Batches of messages from `topics`, in partition order within each partition (no order across
 * partitions). See the module comment for the two modes.
 */
export async function* readTopics(options: ReadTopicsOptions): AsyncGenerator<ReadMessage[]> {
  const clock = options.clock ?? systemClock;
  const kafka: Kafka = kafkaClient({
    brokers: options.brokers,
    clientId: options.clientId ?? 'l2h-reader',
    logger: options.logger,
  });
  const brokers = options.brokers;
  const stallMs = options.stallTimeoutMs ?? 60_000;

  let topics = [...options.topics];
  let ends: PartitionEnd[] = [];
  const admin = kafka.admin();
  try {
    await admin.connect();
    const existing = new Set(await admin.listTopics());
    const missing = topics.filter((t) => !existing.has(t));
    if (options.untilEnd && missing.length > 0) {
      // Asking for a topic's offsets would auto-create it on some clusters (the mock always):
      // a topic nobody wrote to holds nothing, so it is read as empty.
      options.logger.warn({ topics: missing }, 'Kafka topics do not exist; read as empty');
      topics = topics.filter((t) => existing.has(t));
    }
    if (options.untilEnd && topics.length > 0)
      ends = await partitionEnds(admin, topics, options.groupId, options.fromBeginning);
  } catch (err) {
    throw classifyKafkaError(err, `look up ${topics.join(', ')}`, brokers);
  } finally {
    await admin.disconnect().catch(() => {});
  }
  const pending = new Map(ends.filter((e) => e.next < e.end).map((e) => [`${e.topic}/${e.partition}`, e]));
  if (topics.length === 0 || (options.untilEnd && pending.size === 0)) return;

  const named = options.groupId !== undefined;
  const consumer: Consumer = kafka.consumer({
    groupId: options.groupId ?? `l2h-read-${randomUUID()}`,
    sessionTimeout: 6_000,
    heartbeatInterval: 500,
    // An idle fetch returns after this; a shorter wait lets a stop or the end take effect sooner.
    maxWaitTimeInMs: 1_000,
    allowAutoTopicCreation: false,
  });
  const channel = new Channel(options.bufferMessages ?? 50_000);
  let progressAt = clock.monoUs();
  const onAbort = () => channel.end();
  options.signal?.addEventListener('abort', onAbort);
  if (options.signal?.aborted) channel.end();

  try {
    try {
      await consumer.connect();
      consumer.on(consumer.events.CRASH, (e) => {
        channel.end(classifyKafkaError(e.payload.error, 'consume', brokers));
      });
      await consumer.subscribe({ topics, fromBeginning: options.fromBeginning });
      await consumer.run({
        autoCommit: named,
        eachBatch: async ({ batch, heartbeat }) => {
          if (channel.ended) return;
          const key = `${batch.topic}/${batch.partition}`;
          const end = options.untilEnd ? pending.get(key) : undefined;
          if (options.untilEnd && end === undefined) return; // already complete
          const out: ReadMessage[] = [];
          for (const m of batch.messages) {
            if (end !== undefined && BigInt(m.offset) >= end.end) break;
            out.push({
              topic: batch.topic,
              partition: batch.partition,
              offset: m.offset,
              key: m.key,
              value: m.value,
              headers: headerText(m.headers),
            });
          }
          while (channel.full && !channel.ended) {
            await channel.writable(clock, 1_000);
            await heartbeat();
          }
          if (channel.ended) return;
          if (out.length > 0) {
            channel.push(out);
            progressAt = clock.monoUs();
          }
          if (end !== undefined) {
            const next = BigInt(batch.lastOffset()) + 1n;
            if (next > end.next) progressAt = clock.monoUs();
            end.next = next;
            if (end.next >= end.end) {
              pending.delete(key);
              if (pending.size === 0) channel.end();
            }
          }
        },
      });
    } catch (err) {
      throw classifyKafkaError(err, `consume ${topics.join(', ')}`, brokers);
    }

    for (;;) {
      const batch = channel.take();
      if (batch !== null) {
        yield batch;
        continue;
      }
      if (channel.ended) {
        if (channel.failure) throw channel.failure;
        return;
      }
      await channel.readable(clock, 1_000);
      if (options.untilEnd && !channel.ended && clock.monoUs() - progressAt > stallMs * 1000) {
        const stuck = [...pending.values()]
          .slice(0, 8)
          .map((p) => `${p.topic}/${p.partition} at ${p.next} of ${p.end}`);
        throw new L2hError(`Kafka read made no progress for ${stallMs} ms before the end offsets`, {
          code: 'TIMEOUT',
          retriable: true,
          context: { brokers: brokers.join(','), partitions: stuck.join('; ') },
          hint: 'the messages before those offsets may have been deleted (retention) or the cluster is unreachable',
        });
      }
    }
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    channel.end();
    await consumer.disconnect().catch(() => {});
  }
}
