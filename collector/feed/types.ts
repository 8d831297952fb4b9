/**
 * The feed's boundary: what it hands the rest of the collector (lines and connection events, in
 * receive order) and what the collector can ask of it. Nothing past this file needs to know
 * that there are sockets.
 */
import type { Clock } from '../../common/clock.js';
import type { L2hError } from '../../common/errors.js';
import type { Logger } from '../../common/logger.js';
import type { PortStatus } from '../monitor/status.js';
import type { Channel } from '../protocol/channel.js';

export type { Channel } from '../protocol/channel.js';

/**
 * Why a connection ended. The feed itself emits `disconnect` (the peer closed or reset the
 * socket, or a write failed), `server-disconnected` (IQConnect said `S,SERVER DISCONNECTED` and
 * no `S,SERVER CONNECTED` followed in time), `stale-feed` (no line for `staleMs`) and `stop`.
 * `restart` is for the collector's own bookkeeping (a session continued after a restart); the
 * feed never emits it.
 */
export type DisconnectReason = 'disconnect' | 'server-disconnected' | 'stale-feed' | 'restart' | 'stop';

export interface FeedListener {
  /** Complete lines from one connection, in order, all received in one socket read. Latin1 strings, terminator removed. */
  lines(channel: Channel, lines: readonly string[], receivedWallUs: number): void;
  /** Called before the first line of a new connection and after its last line. */
  event(e: FeedEvent): void;
  /**
   * A condition reconnecting cannot cure: IQConnect refused the protocol version
   * (`E,<v> is not a valid protocol.,`). Called after the line that revealed it was handed to
   * `lines`. The feed keeps its sockets (what arrives is still data worth journaling); the
   * collector decides whether to show it and stop. Optional so a plain recorder can ignore it;
   * the condition is also logged and shown in `ports()[i].error`.
   */
  error?(err: L2hError): void;
}

export interface FeedEvent {
  readonly event: 'connect' | 'disconnect';
  readonly channel: Channel;
  readonly us: number /* wall µs */;
  /** Null on `connect`. */
  readonly reason: DisconnectReason | null;
  /** For a human: `ECONNRESET`, `EOF`, `no line for 5000 ms`… Never holds a credential. */
  readonly detail?: string;
}

/**
 * `PortStatus` (collector/monitor/status.ts) plus what only the feed knows. A `FeedPortStatus`
 * is a `PortStatus`, so `ports()` can go into `CollectorStatus.ports` as it is.
 */
export interface FeedPortStatus extends PortStatus {
  /** Connection attempts made, the first one included. */
  readonly attempts: number;
  /** Attempts that never connected (refused, timed out, unreachable). */
  readonly failedAttempts: number;
  /** Milliseconds until the next attempt, when one is scheduled. */
  readonly retryInMs: number | null;
  /** The last reason a connection ended or an attempt failed (`ECONNREFUSED`, `stale-feed: …`). */
  readonly lastProblem: string | null;
  /** A fatal condition (protocol refused), as `L2hError.describe()`; null when none. */
  readonly error: string | null;
  /** ADMIN only: the `Status` field of the last `S,STATS` as sent (`Connected`, `Not Connected`). */
  readonly statsStatus: string | null;
}

export interface Feed {
  /** Opens every port. Resolves once each port's first attempt has connected or failed; a failed port keeps retrying. */
  start(): Promise<void>;
  /** Closes every socket gracefully, delivers what was received, emits `disconnect` with reason `stop`. */
  stop(): Promise<void>;
  /** Stop reading the sockets (the journal's buffer is full). No line and no stale-feed alarm until `resume`. */
  pause(): void;
  resume(): void;
  ports(): FeedPortStatus[];
  /** Re-send the L1 and L2 watches of `symbols` (default: all) on the connected ports. */
  resync(symbols?: readonly string[]): void;
}

export interface FeedDeps {
  readonly clock: Clock;
  readonly logger: Logger;
  /** Uniform in [0, 1): backoff jitter. Seeded in tests, Math.random in production. */
  readonly random: () => number;
}
