/**
 * One error type for the whole project. Every error says what went wrong, where, and whether
 * trying again can help: retriers decide on `retriable` alone, and programming errors are
 * never retriable.
 */
export type ErrorCode =
  | 'BAD_USAGE' // wrong flags or arguments: exit 2
  | 'BAD_INPUT' // a file or line we were given is malformed: exit 2
  | 'IO' // a file or socket operation failed
  | 'SERVICE_UNAVAILABLE' // ClickHouse, Kafka, Redis or IQConnect cannot be reached
  | 'TIMEOUT'
  | 'VERIFICATION_FAILED' // exit 1
  | 'INTERNAL';

export interface L2hErrorOptions {
  readonly code: ErrorCode;
  readonly retriable?: boolean;
  readonly cause?: unknown;
  /** Where: a file and line, a host and port, a symbol and seq… printed with the message. */
  readonly context?: Readonly<Record<string, string | number | boolean | null>>;
  /** How to fix it, when we know. */
  readonly hint?: string;
}

export class L2hError extends Error {
  readonly code: ErrorCode;
  readonly retriable: boolean;
  readonly context: Readonly<Record<string, string | number | boolean | null>>;
  readonly hint: string | undefined;

  constructor(message: string, options: L2hErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'L2hError';
    this.code = options.code;
    this.retriable = options.retriable ?? false;
    this.context = options.context ?? {};
    this.hint = options.hint;
  }

  /**
   * The message with its context, its cause and hint, as printed to a user. The cause is often
   * the only part that says what to fix (ENOTDIR: a file where a directory was expected).
   */
  describe(): string {
    const where = Object.entries(this.context)
      .map(([k, v]) => `${k}=${String(v)}`)
      .join(' ');
    const head = [this.message, where ? `(${where})` : ''].filter(Boolean).join(' ');
    const cause = causeText(this.cause);
    return `${head}${cause ? `: ${cause}` : ''}${this.hint ? `\n  hint: ${this.hint}` : ''}`;
  }
}

/** `CODE: message` of an error's cause (Node's messages often start with the code already). */
function causeText(cause: unknown): string {
  if (cause === undefined || cause === null) return '';
  if (cause instanceof L2hError) return cause.describe().split('\n')[0] ?? '';
  const message = cause instanceof Error ? cause.message : String(cause);
  const code =
    cause instanceof Error && 'code' in cause && typeof cause.code === 'string' ? cause.code : undefined;
  return code === undefined || message.startsWith(code) ? message : `${code}: ${message}`;
}

export function usageError(message: string, hint?: string): L2hError {
  return new L2hError(message, { code: 'BAD_USAGE', hint });
}

export function inputError(
  message: string,
  context: Readonly<Record<string, string | number | boolean | null>>,
  hint?: string,
): L2hError {
  return new L2hError(message, { code: 'BAD_INPUT', context, hint });
}

/** Exit code per CONTRACTS §3: 0 ok, 1 verification failed, 2 bad usage or bad input. */
export function exitCodeFor(err: unknown): number {
  if (err instanceof L2hError) {
    if (err.code === 'VERIFICATION_FAILED') return 1;
    if (err.code === 'BAD_USAGE' || err.code === 'BAD_INPUT') return 2;
  }
  return 1;
}

export function errorMessage(err: unknown): string {
  if (err instanceof L2hError) return err.describe();
  if (err instanceof Error) return err.message;
  return String(err);
}
