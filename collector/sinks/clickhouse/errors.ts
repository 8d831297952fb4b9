/**
 * ClickHouse failures → L2hError with `retriable` decided here, so the sink runner can back off on
 * an outage and stop at once on a mistake.
 *
 * Retriable: the server cannot be reached or did not answer in time (connection refused or reset,
 * socket timeouts, the client's "Timeout error."), an HTTP failure that is not a ClickHouse
 * exception (a proxy's 502/503 page), and the server-side codes that mean "busy, try later".
 * A missing table or database is retriable too: the sink re-creates its schema before the next
 * try (a server that came back with an empty data directory).
 * Not retriable: every other ClickHouse exception (syntax, types, unknown columns, bad
 * credentials) and programming errors.
 *
 * 18.16 formats exceptions as `Code: 60, e.displayText() = DB::Exception: …` without the
 * `(UNKNOWN_TABLE)` suffix the client's parser looks for, so the code is read from the text too.
 */
import { ClickHouseError } from '@clickhouse/client';
import { errorMessage, L2hError } from '../../../common/errors.js';

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'ENOTFOUND',
  'UND_ERR_SOCKET',
]);

/** Server error codes after which the same statement can succeed later. */
const BUSY_CODES = new Set([
  159, // TIMEOUT_EXCEEDED
  164, // READONLY (a replica catching up)
  202, // TOO_MANY_SIMULTANEOUS_QUERIES
  203, // NO_FREE_CONNECTION
  209, // SOCKET_TIMEOUT
  210, // NETWORK_ERROR
  236, // ABORTED
  241, // MEMORY_LIMIT_EXCEEDED
  242, // TABLE_IS_READ_ONLY
  252, // TOO_MANY_PARTS
  319, // UNKNOWN_STATUS_OF_INSERT
  425, // SYSTEM_ERROR
]);

/** The schema is gone: re-create it, then retry. */
export const SCHEMA_GONE_CODES = new Set([
  60, // UNKNOWN_TABLE
  81, // UNKNOWN_DATABASE
]);

const CODE_IN_TEXT = /\bCode: (\d+)/;

/** The ClickHouse exception code of an error, or null when it is not a server exception. */
export function clickhouseCode(err: unknown): number | null {
  if (err instanceof ClickHouseError) {
    const n = Number(err.code);
    return Number.isInteger(n) ? n : null;
  }
  if (err instanceof Error) {
    const m = CODE_IN_TEXT.exec(err.message);
    if (m) return Number(m[1]);
  }
  return null;
}

function networkCode(err: unknown): string | null {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 5; depth++) {
    const code = (e as Error & { code?: unknown }).code;
    if (typeof code === 'string' && NETWORK_CODES.has(code)) return code;
    e = e.cause;
  }
  return null;
}

function isProgrammingError(err: unknown): boolean {
  return (
    err instanceof TypeError ||
    err instanceof RangeError ||
    err instanceof SyntaxError ||
    err instanceof ReferenceError
  );
}

export interface ClassifyContext {
  /** What was being done: "insert 5000 l2 rows". */
  readonly what: string;
  /** Credentials already removed. */
  readonly url: string;
  readonly table?: string;
}

/** Wrap any error from @clickhouse/client (or the socket under it) into an L2hError. */
export function classifyClickHouseError(err: unknown, ctx: ClassifyContext): L2hError {
  if (err instanceof L2hError) return err;
  const context = { url: ctx.url, ...(ctx.table ? { table: ctx.table } : {}) };
  const text = errorMessage(err).split('\n')[0]!.slice(0, 500);
  const code = clickhouseCode(err);
  if (code !== null) {
    const retriable = BUSY_CODES.has(code) || SCHEMA_GONE_CODES.has(code);
    return new L2hError(`ClickHouse refused to ${ctx.what}: ${text}`, {
      code: retriable ? 'SERVICE_UNAVAILABLE' : 'INTERNAL',
      retriable,
      cause: err,
      context: { ...context, clickhouseCode: code },
      hint: retriable
        ? undefined
        : 'if a table was created by another version of l2h, compare system.columns with collector/sinks/clickhouse/schema.ts',
    });
  }
  if (isProgrammingError(err)) {
    return new L2hError(`ClickHouse sink failed to ${ctx.what}: ${text}`, {
      code: 'INTERNAL',
      cause: err,
      context,
    });
  }
  const net = networkCode(err);
  const timedOut = err instanceof Error && /timeout/i.test(err.message);
  return new L2hError(`ClickHouse is unavailable, could not ${ctx.what}: ${net ?? text}`, {
    code: timedOut && net === null ? 'TIMEOUT' : 'SERVICE_UNAVAILABLE',
    retriable: true,
    cause: err,
    context,
  });
}

/** Bad credentials are a configuration error, not an outage. */
export function isAuthFailure(err: unknown): boolean {
  const code = err instanceof L2hError ? err.context['clickhouseCode'] : clickhouseCode(err);
  return code === 192 || code === 193 || code === 194 || code === 516;
}
