import { type Logger as PinoLogger, pino } from 'pino';

export type Logger = PinoLogger;

/**
 * Keys whose values never reach a log line: passwords and tokens for ClickHouse, Kafka, Redis,
 * the IQFeed login and the monitor. pino replaces them with "[redacted]" wherever they appear.
 */
export const SECRET_KEYS = ['password', 'token', 'monitorToken', 'secret', 'authorization'] as const;

const redactPaths = SECRET_KEYS.flatMap((k) => [k, `*.${k}`, `*.*.${k}`]);

export interface LoggerOptions {
  readonly level?: string;
  /** A file to append to instead of stderr. */
  readonly file?: string;
  readonly name?: string;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const level = options.level ?? process.env.L2H_LOG_LEVEL ?? 'info';
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
