/**
 * The IQFeed codec: line framing, per-port decoders and encoders, client commands, the Level 1
 * field catalogue, raw Q/P re-projection and exact decimal helpers. Nothing here touches a
 * socket. See IQFEED-PROTOCOL.md (shared/protocol) for the facts each module follows.
 */
export * from './admin-messages.js';
export * from './channel.js';
export * from './commands.js';
export * from './common-messages.js';
export * from './decimal.js';
export * from './decode-error.js';
export * from './decoders.js';
export * from './encoders.js';
export * from './fields.js';
export * from './framing.js';
export * from './l1-messages.js';
export * from './l2-messages.js';
export * from './messages.js';
export * from './project.js';
export * from './system-messages.js';
export type { FieldValue, ValueKind } from './values.js';
