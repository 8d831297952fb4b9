import type { Clock } from '../../common/clock.js';
import type { Logger } from '../../common/logger.js';

/** Which backend a started service runs on; shown in test names and run reports. */
export type ServiceSource = 'env' | 'testcontainers' | 'local';

export type ServiceName = 'clickhouse' | 'kafka' | 'redis';

/** The environment the provisioners read; injected so tests need not touch `process.env`. */
export type Env = Readonly<Record<string, string | undefined>>;

/** What every provisioner needs from its caller. */
export interface ProvisionContext {
  readonly logger: Logger;
  /** Defaults to `process.env`. */
  readonly env?: Env;
  /** Times every wait and retry. Defaults to `systemClock`. */
  readonly clock?: Clock;
}

/**
 * What a planned outage does to the data the service holds:
 * - `kept`: the data is there again after `resume()` (ClickHouse local and containers, Kafka mock
 *   and containers);
 * - `lost`: the service comes back empty (Redis local: it runs without persistence).
 */
export type OutageEffect = 'kept' | 'lost';

/**
 * A started service. Handles are separate from the options that configured them: nothing here
 * can be changed, only paused, resumed and stopped.
 */
export interface ServiceHandle {
  readonly name: ServiceName;
  readonly source: ServiceSource;
  /** Server version as the server reports it, or the image tag / library version it runs. */
  readonly version: string;
  /**
   * What `pause()` does to stored data, or null when this handle cannot pause its service
   * (source `env`: we did not start it, so we do not take it down).
   */
  readonly outage: OutageEffect | null;
  /**
   * Make the service unreachable until `resume()`, on the same address: clients see refused or
   * dropped connections (or, for containers, a frozen server). Throws BAD_USAGE when `outage`
   * is null.
   */
  pause(): Promise<void>;
  /** Bring the service back on the same address; resolves once it answers again. */
  resume(): Promise<void>;
  /** Stop the service for good and remove what it left on disk. Safe to call twice. */
  stop(): Promise<void>;
  /** `"<source> <version>"`, e.g. `local 18.16.1`, for run identities and test names. */
  describe(): string;
  /**
   * The server's process id while it runs as our child on this machine (source `local`), for
   * CPU accounting (the bench's services-CPU-per-line figure); absent for other sources.
   */
  localPid?(): number | null;
}
