/**
 * The Level 1 field catalogue as the simulator uses it, taken from the codec so the simulator
 * and the collector agree on every name.
 */
import { DEFAULT_UPDATE_FIELDS, FUNDAMENTAL_FIELDS, UPDATE_FIELDS } from '../../collector/protocol/index.js';

/** The Q/P list a tape is taken to hold until its own `S,CURRENT UPDATE FIELDNAMES` says otherwise. */
export const DEFAULT_TAPE_FIELDS: readonly string[] = DEFAULT_UPDATE_FIELDS;

/** Every name `S,SELECT UPDATE FIELDS` accepts, in the server's order (`S,UPDATE FIELDNAMES`). */
export const ALL_UPDATE_FIELDS: readonly string[] = UPDATE_FIELDS.map((f) => f.name);

export const FUNDAMENTAL_FIELD_NAMES: readonly string[] = FUNDAMENTAL_FIELDS.map((f) => f.name);

const SELECTABLE = new Set(ALL_UPDATE_FIELDS);

export function isSelectableField(name: string): boolean {
  return SELECTABLE.has(name);
}
