export {
  DEFAULT_DEPTH,
  Deriver,
  type DeriverEvent,
  type DeriverOptions,
  type DeriverProgress,
} from './deriver.js';
export type { DeriverCounts, DeriverProblems, IntegrityExample } from './deriver-stats.js';
export {
  type DeriverHeaders,
  deriverHeaderEntries,
  formatFamilies,
  parseDeriverHeaders,
} from './journal-headers.js';
export { Envelope, jsonNumber, jsonString, RecordJson } from './json.js';
export { deriveJournal, deriverOptionsFromJournal } from './rederive.js';
export { SymbolState } from './symbol-state.js';
export { dayOf, laterTime, padTime, stamp } from './timestamp.js';
export * from './types.js';
