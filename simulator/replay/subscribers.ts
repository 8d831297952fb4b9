/**
 * What the router needs from a client session, kept to a minimum so the routing code does not
 * depend on how sessions parse commands.
 */

import type { ConnectionOutput } from '../session/output.js';
import type { FieldList } from '../state/field-list.js';

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
}

export type L2Subscriber = StreamSubscriber;

export interface AdminSubscriber {
  /** One simulated second has passed: push S,STATS (and S,CLIENTSTATS when on). */
  tick(simUs: number): void;
}
