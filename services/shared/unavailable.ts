import { L2hError } from '../../common/errors.js';
import type { ServiceName } from './handle.js';

/** Why one service could not be provided, and what would fix it. */
export interface Unavailability {
  readonly service: ServiceName;
  /** What is missing or failed: "clickhouse-server not found (looked for /usr/sbin/clickhouse-server)". */
  readonly reason: string;
  /** Debian packages whose installation fixes it (empty when installing cannot help). */
  readonly packages: readonly string[];
  /** The variable that points at an existing server instead: CLICKHOUSE_URL… */
  readonly envVar: string;
}

/** The order install hints list packages in, so messages read the same every time. */
const PACKAGE_ORDER = ['clickhouse-server', 'librdkafka-dev', 'gcc', 'redis-server'];

/** "apt-get install gcc librdkafka-dev (or run scripts/setup.sh), or set KAFKA_BROKERS to …". */
export function installHint(list: readonly Unavailability[]): string {
  const packages = PACKAGE_ORDER.filter((p) => list.some((u) => u.packages.includes(p)));
  const point = `set ${list.map((u) => u.envVar).join(' / ')} to a running server`;
  return packages.length > 0
    ? `apt-get install ${packages.join(' ')} (or run scripts/setup.sh), or ${point}`
    : point;
}

/**
 * The error for one service: its message names the fix, because test runners print the message
 * and nothing else. The context keeps the parts so `servicesUnavailable` can merge several.
 */
export function unavailable(u: Unavailability, cause?: unknown): L2hError {
  return new L2hError(`${u.service} unavailable: ${u.reason}. Fix: ${installHint([u])}`, {
    code: 'SERVICE_UNAVAILABLE',
    cause,
    context: { service: u.service, reason: u.reason, packages: u.packages.join(' '), envVar: u.envVar },
    hint: installHint([u]),
  });
}

/** The parts of an error made by `unavailable()`, or null for any other error. */
export function unavailabilityOf(err: unknown): Unavailability | null {
  if (!(err instanceof L2hError) || err.code !== 'SERVICE_UNAVAILABLE') return null;
  const { service, reason, packages, envVar } = err.context;
  if (
    (service !== 'clickhouse' && service !== 'kafka' && service !== 'redis') ||
    typeof reason !== 'string' ||
    typeof packages !== 'string' ||
    typeof envVar !== 'string'
  ) {
    return null;
  }
  return { service, reason, packages: packages.split(' ').filter(Boolean), envVar };
}

/** One error for every service that could not be provided, so the user fixes them all at once. */
export function servicesUnavailable(failures: readonly Error[]): L2hError {
  const known = failures.map(unavailabilityOf).filter((u): u is Unavailability => u !== null);
  const hint = known.length > 0 ? installHint(known) : undefined;
  const lines = failures.map((f) => {
    const u = unavailabilityOf(f);
    return u ? `  - ${u.service}: ${u.reason}` : `  - ${f.message}`;
  });
  const message = ['Integration services unavailable:', ...lines, ...(hint ? [`  Fix: ${hint}`] : [])].join(
    '\n',
  );
  return new L2hError(message, {
    code: 'SERVICE_UNAVAILABLE',
    cause: failures.length === 1 ? failures[0] : new AggregateError(failures),
    context: { services: known.map((u) => u.service).join(',') },
    hint,
  });
}
