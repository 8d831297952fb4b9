import type { DecodeError } from './decode-error.js';
import type { FieldReader } from './scan.js';
import { type SystemFlagMessage, systemFlag } from './system-messages.js';
import { formatText, formatValue, isoToCompactDateTime, joinFields } from './values.js';

/**
 * Admin port (9300) system messages (IQFEED-PROTOCOL.md §7): the once-a-second `S,STATS` (also
 * the L1 reply to `S,REQUEST STATS`), per-client `S,CLIENTSTATS`, and the replies to admin
 * commands. All of them end in a comma on the wire.
 */

/** `S,STATS,…` (§7.2). Start and market times stay wire text (`Apr 01 6:48PM`: no year). */
export interface StatsMessage {
  readonly Type: 'S';
  readonly 'System Type': 'STATS';
  readonly 'Server IP': string | null;
  readonly 'Server Port': number | null;
  readonly 'Max Symbols': number | null;
  readonly 'Number of Symbols': number | null;
  readonly 'Clients Connected': number | null;
  readonly 'Seconds Since Last Update': number | null;
  readonly Reconnections: number | null;
  readonly 'Attempted Reconnections': number | null;
  readonly 'Start Time': string | null;
  readonly 'Market Time': string | null;
  /** `Connected` or `Not Connected`. */
  readonly Status: string | null;
  readonly 'IQFeed Version': string | null;
  /** As sent: IQConnect 6.2.0.25 wraps it in double quotes, older versions do not. */
  readonly 'Login ID': string | null;
  readonly 'Total KB Received': number | null;
  readonly 'KB/s Received': number | null;
  readonly 'Avg KB/s Received': number | null;
  readonly 'Total KB Sent': number | null;
  readonly 'KB/s Sent': number | null;
  readonly 'Avg KB/s Sent': number | null;
}

/**
 * `S,CLIENTSTATS,…` (§7.3), one per client connection per second while `S,CLIENTSTATS ON`.
 * KB columns are received-then-sent (C#, IQFeed4j, Lean and the recorded values agree).
 */
export interface ClientStatsMessage {
  readonly Type: 'S';
  readonly 'System Type': 'CLIENTSTATS';
  /** 0 admin, 1 Level 1, 2 Level 2, 3 lookup. */
  readonly 'Client Type': number | null;
  readonly 'Client ID': number | null;
  readonly 'Client Name': string | null;
  /** ISO `YYYY-MM-DDTHH:MM:SS` from `YYYYMMDD HHMMSS`. */
  readonly 'Start Time': string | null;
  readonly Symbols: number | null;
  readonly 'Regional Symbols': number | null;
  readonly 'KB Received': number | null;
  readonly 'KB Sent': number | null;
  readonly 'KB Queued': number | null;
}

export type AdminAck =
  | 'REGISTER CLIENT APP COMPLETED'
  | 'REMOVE CLIENT APP COMPLETED'
  | 'LOGIN INFO SAVED'
  | 'LOGIN INFO NOT SAVED'
  | 'AUTOCONNECT ON'
  | 'AUTOCONNECT OFF';

export const ADMIN_ACKS: readonly AdminAck[] = [
  'REGISTER CLIENT APP COMPLETED',
  'REMOVE CLIENT APP COMPLETED',
  'LOGIN INFO SAVED',
  'LOGIN INFO NOT SAVED',
  'AUTOCONNECT ON',
  'AUTOCONNECT OFF',
];

/** The field-less replies to admin commands (`S,AUTOCONNECT ON,` …). */
export type AdminAckMessage = SystemFlagMessage<AdminAck>;

/** `S,CURRENT LOGINID,<id>,`: reply to `S,SET LOGINID`. */
export interface CurrentLoginIdMessage {
  readonly Type: 'S';
  readonly 'System Type': 'CURRENT LOGINID';
  readonly 'Login ID': string | null;
}

/** `S,CURRENT PASSWORD,<masked>,`: reply to `S,SET PASSWORD`, masked like `(3*****2)`. */
export interface CurrentPasswordMessage {
  readonly Type: 'S';
  readonly 'System Type': 'CURRENT PASSWORD';
  readonly Password: string | null;
}

export function decodeStats(r: FieldReader): StatsMessage | DecodeError {
  const m: StatsMessage = {
    Type: 'S',
    'System Type': 'STATS',
    'Server IP': r.text('Server IP'),
    'Server Port': r.integer('Server Port'),
    'Max Symbols': r.integer('Max Symbols'),
    'Number of Symbols': r.integer('Number of Symbols'),
    'Clients Connected': r.integer('Clients Connected'),
    'Seconds Since Last Update': r.integer('Seconds Since Last Update'),
    Reconnections: r.integer('Reconnections'),
    'Attempted Reconnections': r.integer('Attempted Reconnections'),
    'Start Time': r.text('Start Time'),
    'Market Time': r.text('Market Time'),
    Status: r.text('Status'),
    'IQFeed Version': r.text('IQFeed Version'),
    'Login ID': r.text('Login ID'),
    'Total KB Received': r.number('Total KB Received'),
    'KB/s Received': r.number('KB/s Received'),
    'Avg KB/s Received': r.number('Avg KB/s Received'),
    'Total KB Sent': r.number('Total KB Sent'),
    'KB/s Sent': r.number('KB/s Sent'),
    'Avg KB/s Sent': r.number('Avg KB/s Sent'),
  };
  return r.error ?? m;
}

export function decodeClientStats(r: FieldReader): ClientStatsMessage | DecodeError {
  const m: ClientStatsMessage = {
    Type: 'S',
    'System Type': 'CLIENTSTATS',
    'Client Type': r.integer('Client Type'),
    'Client ID': r.integer('Client ID'),
    'Client Name': r.text('Client Name'),
    'Start Time': r.compactDateTime('Start Time', false),
    Symbols: r.integer('Symbols'),
    'Regional Symbols': r.integer('Regional Symbols'),
    'KB Received': r.number('KB Received'),
    'KB Sent': r.number('KB Sent'),
    'KB Queued': r.number('KB Queued'),
  };
  return r.error ?? m;
}

export function decodeAdminAck(keyword: AdminAck): AdminAckMessage {
  return systemFlag(keyword);
}

export function decodeCurrentLoginId(r: FieldReader): CurrentLoginIdMessage | DecodeError {
  const id = r.text('Login ID');
  return r.error ?? { Type: 'S', 'System Type': 'CURRENT LOGINID', 'Login ID': id };
}

export function decodeCurrentPassword(r: FieldReader): CurrentPasswordMessage | DecodeError {
  const password = r.text('Password');
  return r.error ?? { Type: 'S', 'System Type': 'CURRENT PASSWORD', Password: password };
}

export function encodeStats(m: StatsMessage): string {
  return joinFields(
    [
      'S,STATS',
      formatValue('text', 'Server IP', m['Server IP']),
      formatValue('integer', 'Server Port', m['Server Port']),
      formatValue('integer', 'Max Symbols', m['Max Symbols']),
      formatValue('integer', 'Number of Symbols', m['Number of Symbols']),
      formatValue('integer', 'Clients Connected', m['Clients Connected']),
      formatValue('integer', 'Seconds Since Last Update', m['Seconds Since Last Update']),
      formatValue('integer', 'Reconnections', m.Reconnections),
      formatValue('integer', 'Attempted Reconnections', m['Attempted Reconnections']),
      formatValue('text', 'Start Time', m['Start Time']),
      formatValue('text', 'Market Time', m['Market Time']),
      formatValue('text', 'Status', m.Status),
      formatValue('text', 'IQFeed Version', m['IQFeed Version']),
      formatValue('text', 'Login ID', m['Login ID']),
      formatValue('decimal', 'Total KB Received', m['Total KB Received']),
      formatValue('decimal', 'KB/s Received', m['KB/s Received']),
      formatValue('decimal', 'Avg KB/s Received', m['Avg KB/s Received']),
      formatValue('decimal', 'Total KB Sent', m['Total KB Sent']),
      formatValue('decimal', 'KB/s Sent', m['KB/s Sent']),
      formatValue('decimal', 'Avg KB/s Sent', m['Avg KB/s Sent']),
    ],
    true,
  );
}

export function encodeClientStats(m: ClientStatsMessage): string {
  return joinFields(
    [
      'S,CLIENTSTATS',
      formatValue('integer', 'Client Type', m['Client Type']),
      formatValue('integer', 'Client ID', m['Client ID']),
      formatValue('text', 'Client Name', m['Client Name']),
      m['Start Time'] === null ? '' : isoToCompactDateTime('Start Time', m['Start Time'], false),
      formatValue('integer', 'Symbols', m.Symbols),
      formatValue('integer', 'Regional Symbols', m['Regional Symbols']),
      formatValue('decimal', 'KB Received', m['KB Received']),
      formatValue('decimal', 'KB Sent', m['KB Sent']),
      formatValue('decimal', 'KB Queued', m['KB Queued']),
    ],
    true,
  );
}

export function encodeAdminAck(m: AdminAckMessage): string {
  // LOGIN INFO [NOT] SAVED was never observed; the comma is assumed by analogy (§7.1).
  return `S,${formatText('System Type', m['System Type'])},`;
}

export function encodeCurrentLoginId(m: CurrentLoginIdMessage): string {
  return `S,CURRENT LOGINID,${formatValue('text', 'Login ID', m['Login ID'])},`;
}

export function encodeCurrentPassword(m: CurrentPasswordMessage): string {
  return `S,CURRENT PASSWORD,${formatValue('text', 'Password', m.Password)},`;
}
