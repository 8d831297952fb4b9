/**
 * Kafka client failures → L2hError with `retriable` decided here. kafkajs marks its own errors
 * `retriable` for *its* retrier, and gives up with non-retriable wrappers
 * (KafkaJSNumberOfRetriesExceeded, "Connection error: connect ECONNREFUSED") once its few quick
 * retries are spent; for the collector those are still an outage the runner should wait out.
 * So: anything that says the cluster cannot be reached, timed out, or is electing leaders is
 * retriable; what a retry cannot fix (a message too large, an invalid topic, authorization or
 * authentication refused, an API the broker lacks) and programming errors are not.
 */
import { L2hError } from '../../../common/errors.js';

const FATAL_PROTOCOL_TYPES = new Set([
  'MESSAGE_TOO_LARGE',
  'RECORD_LIST_TOO_LARGE',
  'INVALID_TOPIC_EXCEPTION',
  'TOPIC_AUTHORIZATION_FAILED',
  'CLUSTER_AUTHORIZATION_FAILED',
  'GROUP_AUTHORIZATION_FAILED',
  'TRANSACTIONAL_ID_AUTHORIZATION_FAILED',
  'SASL_AUTHENTICATION_FAILED',
  'UNSUPPORTED_SASL_MECHANISM',
  'INVALID_REQUIRED_ACKS',
  'INVALID_RECORD',
  'CORRUPT_MESSAGE',
  'UNSUPPORTED_VERSION',
  'UNSUPPORTED_FOR_MESSAGE_FORMAT',
  'POLICY_VIOLATION',
]);

const FATAL_NAMES = new Set([
  'KafkaJSSASLAuthenticationError',
  'KafkaJSServerDoesNotSupportApiKey',
  'KafkaJSNotImplemented',
  'KafkaJSInvariantViolation',
  'KafkaJSUnsupportedMagicByteInMessageSet',
]);

interface KafkaLike {
  readonly name?: unknown;
  readonly type?: unknown;
  readonly cause?: unknown;
  readonly originalError?: unknown;
  readonly errors?: unknown;
}

/** Every error in the chain: the error, its causes, and the members of aggregate errors. */
export function errorChain(err: unknown): Error[] {
  const out: Error[] = [];
  const visit = (e: unknown, depth: number) => {
    if (!(e instanceof Error) || depth > 6 || out.includes(e)) return;
    out.push(e);
    const k = e as Error & KafkaLike;
    visit(k.cause, depth + 1);
    visit(k.originalError, depth + 1);
    if (Array.isArray(k.errors)) for (const x of k.errors) visit(x, depth + 1);
  };
  visit(err, 0);
  return out;
}

/** The reason a retry cannot help, or null when it can. */
export function fatalKafkaReason(err: unknown): string | null {
  for (const e of errorChain(err)) {
    if (
      e instanceof TypeError ||
      e instanceof RangeError ||
      e instanceof SyntaxError ||
      e instanceof ReferenceError
    ) {
      return `programming error: ${e.message}`;
    }
    const k = e as Error & KafkaLike;
    if (typeof k.type === 'string' && FATAL_PROTOCOL_TYPES.has(k.type)) return `${k.type}: ${e.message}`;
    if (typeof k.name === 'string' && FATAL_NAMES.has(k.name)) return `${k.name}: ${e.message}`;
  }
  return null;
}

/** The innermost message, which says more than kafkajs' wrappers ("Connection error: connect ECONNREFUSED …"). */
function rootMessage(err: unknown): string {
  const chain = errorChain(err);
  const last = chain.at(-1);
  const text = last?.message ?? String(err);
  return text.split('\n')[0]!.slice(0, 300);
}

export function classifyKafkaError(err: unknown, what: string, brokers: readonly string[]): L2hError {
  if (err instanceof L2hError) return err;
  const context = { brokers: brokers.join(',') };
  const fatal = fatalKafkaReason(err);
  if (fatal !== null) {
    return new L2hError(`Kafka refused to ${what}: ${fatal}`, { code: 'INTERNAL', cause: err, context });
  }
  const timedOut = errorChain(err).some(
    (e) => /timeout|timed out/i.test(e.message) || (e as KafkaLike).name === 'KafkaJSRequestTimeoutError',
  );
  return new L2hError(`Kafka is unavailable, could not ${what}: ${rootMessage(err)}`, {
    code: timedOut ? 'TIMEOUT' : 'SERVICE_UNAVAILABLE',
    retriable: true,
    cause: err,
    context,
  });
}
