import type { DecodeError } from './decode-error.js';
import type { Side } from './l2-messages.js';
import type { FieldReader } from './scan.js';
import {
  formatInteger,
  formatList,
  formatText,
  formatValue,
  isoToCompactDate,
  joinFields,
} from './values.js';

/**
 * `S,<keyword>,…` system messages of the streaming ports (IQFEED-PROTOCOL.md §3, §5.10, §6.2).
 * Admin-port system messages (STATS, CLIENTSTATS, acks) live in admin-messages.ts. The decoder
 * has already read the keyword; each function reads what follows it. Whether a line carries a
 * trailing comma differs by message (§1.3); encoders reproduce the observed form.
 */

/** A system message with no fields beyond its keyword. */
export interface SystemFlagMessage<K extends string> {
  readonly Type: 'S';
  readonly 'System Type': K;
}

export type ServerStatus = 'SERVER CONNECTED' | 'SERVER DISCONNECTED' | 'SERVER RECONNECT FAILED';

/** IQConnect's own link to DTN went up, down, or it gave up reconnecting (§10). */
export type ServerStatusMessage = SystemFlagMessage<ServerStatus>;

/** `S,KEYOK`: obsolete acknowledgement of an echoed key. */
export type KeyOkMessage = SystemFlagMessage<'KEYOK'>;

/** `S,KEY,<n>`: obsolete authorization key, first line of every L1 connection. */
export interface KeyMessage {
  readonly Type: 'S';
  readonly 'System Type': 'KEY';
  readonly Key: string | null;
}

/** `S,IP,<address port>,…`: the DTN servers in use. */
export interface IpMessage {
  readonly Type: 'S';
  readonly 'System Type': 'IP';
  readonly Endpoints: readonly string[];
}

/**
 * `S,CUST,…`: account information (§5.10). Two columns are unnamed in every source and keep
 * their index as name.
 */
export interface CustomerMessage {
  readonly Type: 'S';
  readonly 'System Type': 'CUST';
  /** `real_time` or `delayed`. */
  readonly 'Service Type': string | null;
  readonly 'Server IP': string | null;
  readonly 'Server Port': number | null;
  readonly Token: string | null;
  readonly 'IQConnect Version': string | null;
  readonly 'Unknown 7': string | null;
  /** Space-separated service list, kept as sent (with its leading and trailing spaces). */
  readonly 'Real-time Exchanges': string | null;
  readonly 'Unknown 9': string | null;
  readonly 'Max Symbols': number | null;
  readonly Flags: string | null;
  /** ISO date from `YYYYMMDD`. */
  readonly 'Expiration Date': string | null;
}

/** `S,CURRENT PROTOCOL,<v>[,]`: reply to `S,SET PROTOCOL` on every port. */
export interface CurrentProtocolMessage {
  readonly Type: 'S';
  readonly 'System Type': 'CURRENT PROTOCOL';
  readonly Protocol: string;
}

export type FieldNamesType = 'CURRENT UPDATE FIELDNAMES' | 'UPDATE FIELDNAMES' | 'FUNDAMENTAL FIELDNAMES';

/** A list of field names: the Q/P layout in force, all selectable fields, or the F layout. */
export interface FieldNamesMessage {
  readonly Type: 'S';
  readonly 'System Type': FieldNamesType;
  readonly Fields: readonly string[];
}

/** `S,WATCHES[,<sym>…]`: reply to `S,REQUEST WATCHES`. */
export interface WatchesMessage {
  readonly Type: 'S';
  readonly 'System Type': 'WATCHES';
  readonly Symbols: readonly string[];
}

/** `S,CURRENT LOG LEVELS,<level>…`: reply to `S,SET LOG LEVELS`. */
export interface LogLevelsMessage {
  readonly Type: 'S';
  readonly 'System Type': 'CURRENT LOG LEVELS';
  readonly 'Log Levels': readonly string[];
}

/** `S,SYMBOL LIMIT REACHED,<sym>`: a watch refused for the account's symbol limit. */
export interface SymbolLimitMessage {
  readonly Type: 'S';
  readonly 'System Type': 'SYMBOL LIMIT REACHED';
  readonly Symbol: string;
}

/** `S,CLEAR DEPTH,<sym>,<A|B>,`: drop every entry on one side of that symbol's book (L2). */
export interface ClearDepthMessage {
  readonly Type: 'S';
  readonly 'System Type': 'CLEAR DEPTH';
  readonly Symbol: string;
  readonly Side: Side;
}

const flags = new Map<string, SystemFlagMessage<string>>();

/** The one (frozen) message of a field-less keyword: no allocation per line. */
export function systemFlag<K extends string>(keyword: K): SystemFlagMessage<K> {
  let m = flags.get(keyword);
  if (m === undefined) {
    m = Object.freeze({ Type: 'S', 'System Type': keyword });
    flags.set(keyword, m);
  }
  return m as SystemFlagMessage<K>;
}

export function decodeKey(r: FieldReader): KeyMessage | DecodeError {
  const key = r.text('Key');
  return r.error ?? { Type: 'S', 'System Type': 'KEY', Key: key };
}

export function decodeIp(r: FieldReader): IpMessage {
  return { Type: 'S', 'System Type': 'IP', Endpoints: r.list() };
}

export function decodeCustomer(r: FieldReader): CustomerMessage | DecodeError {
  const m: CustomerMessage = {
    Type: 'S',
    'System Type': 'CUST',
    'Service Type': r.text('Service Type'),
    'Server IP': r.text('Server IP'),
    'Server Port': r.integer('Server Port'),
    Token: r.text('Token'),
    'IQConnect Version': r.text('IQConnect Version'),
    'Unknown 7': r.text('Unknown 7'),
    'Real-time Exchanges': r.text('Real-time Exchanges'),
    'Unknown 9': r.text('Unknown 9'),
    'Max Symbols': r.integer('Max Symbols'),
    Flags: r.text('Flags'),
    'Expiration Date': r.compactDate('Expiration Date'),
  };
  return r.error ?? m;
}

export function decodeCurrentProtocol(r: FieldReader): CurrentProtocolMessage | DecodeError {
  const protocol = r.required('Protocol', 'a protocol version such as 6.2');
  return r.error ?? { Type: 'S', 'System Type': 'CURRENT PROTOCOL', Protocol: protocol };
}

export function decodeFieldNames(r: FieldReader, keyword: FieldNamesType): FieldNamesMessage {
  return { Type: 'S', 'System Type': keyword, Fields: r.list() };
}

export function decodeWatches(r: FieldReader): WatchesMessage {
  return { Type: 'S', 'System Type': 'WATCHES', Symbols: r.list() };
}

export function decodeLogLevels(r: FieldReader): LogLevelsMessage {
  return { Type: 'S', 'System Type': 'CURRENT LOG LEVELS', 'Log Levels': r.list() };
}

export function decodeSymbolLimit(r: FieldReader): SymbolLimitMessage | DecodeError {
  const symbol = r.symbol('Symbol');
  return r.error ?? { Type: 'S', 'System Type': 'SYMBOL LIMIT REACHED', Symbol: symbol };
}

export function decodeClearDepth(r: FieldReader): ClearDepthMessage | DecodeError {
  const symbol = r.symbol('Symbol');
  const side = r.side('Side');
  return r.error ?? { Type: 'S', 'System Type': 'CLEAR DEPTH', Symbol: symbol, Side: side };
}

export type StreamingSystemMessage =
  | ServerStatusMessage
  | KeyOkMessage
  | KeyMessage
  | IpMessage
  | CustomerMessage
  | CurrentProtocolMessage
  | FieldNamesMessage
  | WatchesMessage
  | LogLevelsMessage
  | SymbolLimitMessage
  | ClearDepthMessage;

function withList(head: string, what: string, items: readonly string[]): string {
  return items.length === 0 ? head : `${head},${formatList(what, items)}`;
}

export function encodeStreamingSystemMessage(m: StreamingSystemMessage): string {
  switch (m['System Type']) {
    case 'SERVER CONNECTED':
    case 'SERVER DISCONNECTED':
    case 'SERVER RECONNECT FAILED':
    case 'KEYOK':
      return `S,${m['System Type']}`;
    case 'KEY':
      return `S,KEY,${formatValue('text', 'Key', m.Key)}`;
    case 'IP':
      return withList('S,IP', 'Endpoints', m.Endpoints);
    case 'CUST':
      return joinFields(
        [
          'S,CUST',
          formatValue('text', 'Service Type', m['Service Type']),
          formatValue('text', 'Server IP', m['Server IP']),
          formatValue('integer', 'Server Port', m['Server Port']),
          formatValue('text', 'Token', m.Token),
          formatValue('text', 'IQConnect Version', m['IQConnect Version']),
          formatValue('text', 'Unknown 7', m['Unknown 7']),
          formatValue('text', 'Real-time Exchanges', m['Real-time Exchanges']),
          formatValue('text', 'Unknown 9', m['Unknown 9']),
          m['Max Symbols'] === null ? '' : formatInteger('Max Symbols', m['Max Symbols']),
          formatValue('text', 'Flags', m.Flags),
          m['Expiration Date'] === null ? '' : isoToCompactDate('Expiration Date', m['Expiration Date']),
        ],
        true,
      );
    case 'CURRENT PROTOCOL':
      return `S,CURRENT PROTOCOL,${formatText('Protocol', m.Protocol)},`;
    case 'CURRENT UPDATE FIELDNAMES':
    case 'UPDATE FIELDNAMES':
    case 'FUNDAMENTAL FIELDNAMES':
      return withList(`S,${m['System Type']}`, 'Fields', m.Fields);
    case 'WATCHES':
      return withList('S,WATCHES', 'Symbols', m.Symbols);
    case 'CURRENT LOG LEVELS':
      return withList('S,CURRENT LOG LEVELS', 'Log Levels', m['Log Levels']);
    case 'SYMBOL LIMIT REACHED':
      return `S,SYMBOL LIMIT REACHED,${formatText('Symbol', m.Symbol)}`;
    case 'CLEAR DEPTH':
      return `S,CLEAR DEPTH,${formatText('Symbol', m.Symbol)},${m.Side},`;
  }
}
