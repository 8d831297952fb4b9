/** The collector's write-ahead journal: what other parts use. See journal.ts for the design. */

export { easternDate, nextEasternMidnightUs } from '../../common/eastern-time.js';
export { readCheckpoint, writeCheckpoint } from './checkpoints.js';
export type {
  ConnectionEventInput,
  ConnectionEventKind,
  JournalEntry,
  JournalEvent,
  JournalLine,
} from './events.js';
export type { AppendFile, JournalFs } from './files.js';
export { Journal, type JournalOptions, type JournalState, type JournalStats } from './journal.js';
export { segmentFileName } from './layout.js';
export {
  type DurableProgress,
  type FollowJournalOptions,
  followJournal,
  type ReadJournalOptions,
  readJournal,
} from './read.js';
export { listSessions, type SessionInfo } from './sessions.js';
