/**
 * Sockets to IQConnect: handshake, watches, reconnect with backoff, stale-feed watchdog. The
 * rest of the collector sees only `createFeed`, its options and the listener interface.
 */
export { backoffDelayMs } from './backoff.js';
export { createFeed } from './feed.js';
export { handshake, l2Protocol, watches } from './handshake.js';
export {
  type BackoffPolicy,
  DEFAULT_L1_FIELDS,
  FEED_DEFAULTS,
  type FeedOptions,
  type FeedOptionsInput,
  type IqfeedLogin,
  L2_FAMILIES,
  type L2Family,
  resolveFeedOptions,
} from './options.js';
export type {
  Channel,
  DisconnectReason,
  Feed,
  FeedDeps,
  FeedEvent,
  FeedListener,
  FeedPortStatus,
} from './types.js';
