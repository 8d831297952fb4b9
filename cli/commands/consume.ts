import type { Writable } from 'node:stream';
import type { Command } from 'commander';
import { RECORD_KINDS } from '../../collector/records/types.js';
import { type ReadTopicsOptions, readTopics } from '../../collector/sinks/kafka/topic-reader.js';
import { DEFAULT_TOPIC_PREFIX, parseBrokers, topicsFor } from '../../collector/sinks/kafka/topics.js';
import { usageError } from '../../common/errors.js';
import { createLogger, type Logger } from '../../common/logger.js';

const EXAMPLES = `
Prints the records the collector's Kafka sink wrote, one message value per line, exactly as
stored (the same bytes as the JSONL line): the "analysis machine" reading the collector's output
from Kafka. Without --exit-at-end it follows the topics until interrupted (Ctrl-C).

Examples:
  # everything in the four record topics, then stop
  l2h consume --kafka 127.0.0.1:9092 --from-beginning --exit-at-end > records.jsonl

  # follow L2 snapshots as they arrive, filtered with jq
  l2h consume --kafka kafka1:9092,kafka2:9092 --topic iqfeed.l2 | jq -c 'select(.symbol=="AAPL")'

  # a named group: the next run continues where this one stopped
  l2h consume --kafka 127.0.0.1:9092 --group research-desk --from-beginning
`;

export interface ConsumeOptions {
  readonly brokers: readonly string[];
  readonly topics: readonly string[];
  readonly fromBeginning: boolean;
  readonly groupId?: string;
  readonly exitAtEnd: boolean;
  readonly logger: Logger;
  readonly signal?: AbortSignal;
}

export interface ConsumeSummary {
  readonly printed: number;
  /** Messages with no value (tombstones): nothing to print. */
  readonly empty: number;
}

function write(out: Writable, chunk: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    out.once('error', onError);
    const ok = out.write(chunk, (err) => {
      if (err) reject(err);
    });
    const done = () => {
      out.off('error', onError);
      resolve();
    };
    if (ok) done();
    else out.once('drain', done);
  });
}

/** Copy message values to `out`, one per line, as stored. */
export async function consumeToStream(options: ConsumeOptions, out: Writable): Promise<ConsumeSummary> {
  const read: ReadTopicsOptions = {
    brokers: options.brokers,
    topics: options.topics,
    fromBeginning: options.fromBeginning,
    groupId: options.groupId,
    untilEnd: options.exitAtEnd,
    logger: options.logger,
    signal: options.signal,
    clientId: 'l2h-consume',
  };
  let printed = 0;
  let empty = 0;
  const newline = Buffer.from('\n');
  for await (const batch of readTopics(read)) {
    const parts: Buffer[] = [];
    for (const m of batch) {
      if (m.value === null) {
        empty++;
        continue;
      }
      parts.push(m.value, newline);
      printed++;
    }
    if (parts.length > 0) await write(out, Buffer.concat(parts));
  }
  return { printed, empty };
}

interface CliOptions {
  kafka?: string;
  topic?: string[];
  prefix: string;
  fromBeginning?: boolean;
  group?: string;
  exitAtEnd?: boolean;
}

function isBrokenPipe(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 'EPIPE';
}

export function registerConsume(program: Command): void {
  program
    .command('consume')
    .description("Print the records in Kafka as JSONL on stdout (the collector's Kafka sink, read back)")
    .option('--kafka <brokers>', 'bootstrap brokers, host:port[,host:port…] (default: $KAFKA_BROKERS)')
    .option(
      '--topic <name>',
      `a topic to read (repeatable; default: the four record topics under --prefix)`,
      (value: string, previous: string[] | undefined) => [...(previous ?? []), value],
    )
    .option('--prefix <prefix>', 'topic prefix of the record topics', DEFAULT_TOPIC_PREFIX)
    .option('--from-beginning', 'start at the first retained message (default: only new messages)')
    .option(
      '--group <id>',
      'consume as this consumer group and commit offsets (default: a fresh group, nothing committed)',
    )
    .option('--exit-at-end', 'stop at the end offsets taken at start instead of following')
    .addHelpText('after', EXAMPLES)
    .action(async (opts: CliOptions) => {
      const brokerText = opts.kafka ?? process.env.KAFKA_BROKERS;
      if (brokerText === undefined || brokerText.trim() === '') {
        throw usageError('say which Kafka to read: --kafka host:port', 'or set KAFKA_BROKERS');
      }
      const brokers = parseBrokers(brokerText);
      const defaults = topicsFor(opts.prefix);
      const topics = opts.topic ?? RECORD_KINDS.map((k) => defaults[k]);
      const abort = new AbortController();
      const stop = () => abort.abort();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      const logger = createLogger({
        name: 'consume',
        level: process.env.L2H_LOG_LEVEL ?? 'warn',
        levelSource: 'L2H_LOG_LEVEL',
      });
      // `| head` closes the pipe: stop reading, as Unix tools do.
      const onStdoutError = (err: Error) => {
        if (isBrokenPipe(err)) abort.abort();
      };
      process.stdout.on('error', onStdoutError);
      try {
        const summary = await consumeToStream(
          {
            brokers,
            topics,
            fromBeginning: opts.fromBeginning ?? false,
            groupId: opts.group,
            exitAtEnd: opts.exitAtEnd ?? false,
            logger,
            signal: abort.signal,
          },
          process.stdout,
        );
        const tombstones = summary.empty > 0 ? ` (${summary.empty} without a value skipped)` : '';
        process.stderr.write(`consumed ${summary.printed} messages from ${topics.join(', ')}${tombstones}\n`);
      } catch (err) {
        if (!isBrokenPipe(err)) throw err;
      } finally {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        process.stdout.off('error', onStdoutError);
      }
    });
}
