/**
 * What the router needs from a client session, kept to a minimum so the routing code does not
 * depend on how sessions parse commands.
 */

import type { ConnectionOutput } from '../session/output.js';
import type { DepthFamily } from '../state/depth-state.js';
import type { FieldList } from '../state/field-list.js';
import type { L1WatchKind } from './symbol-entry.js';

export interface StreamSubscriber {
  readonly out: ConnectionOutput;
  /** `S,TIMESTAMPSON` (the default) or `S,TIMESTAMPSOFF`. */
  readonly timestampsOn: boolean;
}

export interface L1Subscriber extends StreamSubscriber {
  readonly newsOn: boolean;
  /** The client's form of a Q/P line recorded in `tapeList` (its own field list). */
  project(line: string, tapeList: FieldList): string;
  isWatching(symbol: string): boolean;
  /** How the symbol is watched (`w` quotes, `t` trades), undefined when it is not. */
  watchKind(symbol: string): Exclude<L1WatchKind, 'regional'> | undefined;
  /** Whether `S,REGON` is on for the symbol. */
  regionalOn(symbol: string): boolean;
}

export interface L2Subscriber extends StreamSubscriber {
  /** Whether the connection watches the symbol's rows of this family (null: any family). */
  watchesDepth(symbol: string, family: DepthFamily | null): boolean;
}

export interface AdminSubscriber {
  /** One simulated second has passed: push S,STATS (and S,CLIENTSTATS when on). */
  tick(simUs: number): void;
}
