/**
 * What a session may ask of the simulator around it. Sessions parse and answer commands; the
 * simulator (hub.ts) owns the shared state: the router, simulated time, the admin settings, the
 * list of connections and the start trigger.
 */
import type { Logger } from '../../common/logger.js';
import type { Router } from '../replay/router.js';
import type { TapeIndex } from '../replay/tape-index.js';
import type { FieldList } from '../state/field-list.js';
import type { SentCounters } from '../stats.js';
import type { Session } from './session.js';

/** IQConnect-wide settings the admin port changes (and STATS reports). */
export interface AdminSettings {
  /** IQConnect's link to DTN (the L1 servers), as STATS reports it: see `setServerLink`. */
  readonly connected: boolean;
  /** Times the link came back after going down (STATS "Reconnections"). */
  readonly reconnections: number;
  loginId: string;
  autoconnect: boolean;
  saveLoginInfo: boolean;
}

export interface SessionContext {
  readonly router: Router;
  readonly index: TapeIndex;
  readonly counters: SentCounters;
  readonly logger: Logger;
  readonly admin: AdminSettings;
  /** Symbols one connection may watch (`S,SYMBOL LIMIT REACHED` past it); null: no limit. */
  readonly symbolLimit: number | null;
  /** The fixed banner lines of this run (seeded): `S,IP,…` and `S,CUST,…`. */
  readonly banner: { readonly ip: string; readonly cust: string };
  simNowUs(): number;
  /** A watch (accepted, or answered with q) was asked for: start triggers look at this. */
  noteWatch(channel: 'L1' | 'L2', symbol: string): void;
  /** A connection's set of watched symbols changed (`--hold-when-unwatched` looks at this). */
  watchesChanged(): void;
  /** Whether IQConnect's link to DTN is up for this channel's data. */
  serverLinkUp(channel: 'L1' | 'L2'): boolean;
  /**
   * IQConnect's link to DTN goes up or down on these channels (S,CONNECT / S,DISCONNECT take
   * both, L2 `c` / `x` the depth link only): every connection of a channel that changed is told
   * (IQFEED-PROTOCOL.md §10). False when no channel changed.
   */
  setServerLink(channels: readonly ('L1' | 'L2')[], up: boolean, cause: string): boolean;
  /** Every open connection, in accept order. */
  sessions(): readonly Session[];
  /** The current `S,STATS,…` line. */
  statsLine(): string;
  /** A Q/P projector between two field lists, shared by every connection that needs it. */
  projector(from: FieldList, to: FieldList): (line: string) => string;
  /** `S,L2H END` on the admin port: finish the run and report. */
  endRun(reason: string): void;
}
