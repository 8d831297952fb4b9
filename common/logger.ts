import { type Logger as PinoLogger, pino } from 'pino';
import { usageError } from './errors.js';

export type Logger = PinoLogger;

/**
 * Keys whose values never reach a log line: passwords and tokens for ClickHouse, Kafka, Redis,
 * the IQFeed login and the monitor. pino replaces them with "[redacted]" wherever they appear.
 */
export const SECRET_KEYS = ['password', 'token', 'monitorToken', 'secret', 'authorization'] as const;

const redactPaths = SECRET_KEYS.flatMap((k) => [k, `*.${k}`, `*.*.${k}`]);

/** The levels `--log-level` accepts, most verbose first (pino's own names). */
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** A level from a flag or the environment; `source` names it in the error, e.g. `--log-level`. */
export function parseLogLevel(text: string, source = '--log-level'): LogLevel {
  const level = LOG_LEVELS.find((l) => l === text.trim().toLowerCase());
  if (level === undefined) {
    throw usageError(
      `unknown log level ${JSON.stringify(text)} in ${source}`,
      `accepted: ${LOG_LEVELS.join(', ')}, e.g. ${source === '--log-level' ? '--log-level warn' : `${source}=warn`}`,
    );
  }
  return level;
}

export interface LoggerOptions {
  readonly level?: string;
  /** Where `level` came from, for the error when it is not a level (default `--log-level`). */
  readonly levelSource?: string;
  /** A file to append to instead of stderr. */
  readonly file?: string;
  readonly name?: string;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const fromEnv = options.level === undefined ? process.env.L2H_LOG_LEVEL : undefined;
  // pino's own refusal is a stack trace about "custom levels"; a user needs the flag's name.
  const level =
    options.level !== undefined
      ? parseLogLevel(options.level, options.levelSource)
      : fromEnv !== undefined
        ? parseLogLevel(fromEnv, 'L2H_LOG_LEVEL')
        : 'info';
  const destination = options.file
    ? pino.destination({ dest: options.file, mkdir: true, sync: false })
    : pino.destination({ fd: 2, sync: true });
  return pino(
    {
      level,
      name: options.name,
      redact: { paths: redactPaths, censor: '[redacted]' },
      base: { pid: process.pid },
    },
    destination,
  );
}

/** A logger that writes nothing: for tests and for library use without a logger. */
export const silentLogger: Logger = pino({ level: 'silent' });

/** Remove credentials from a URL before it is printed: `http://u:p@h/` → `http://u:***@h/`. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return url.replace(/\/\/([^:/@]+):([^@]+)@/, '//$1:***@');
  }
}
