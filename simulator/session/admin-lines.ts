/**
 * The admin port's status lines (IQFEED-PROTOCOL.md §7.2, §7.3), built from simulated time and
 * byte counts only, so they come out the same on every run of the same tape and commands. The
 * one exception is S,CLIENTSTATS "KB queued": it is how much a client has not read yet, which
 * depends on how fast that client reads.
 */
import { compactDateTime, statsTime } from '../sim-time.js';

/** The IQConnect version the simulator claims (a 6.2 one, as seen in a real STATS line). */
export const IQCONNECT_VERSION = '6.2.0.25';
export const SERVER_IP = '127.0.0.1';
export const SERVER_PORT = 60003;

export interface StatsFigures {
  readonly connected: boolean;
  readonly reconnections: number;
  readonly maxSymbols: number;
  readonly symbols: number;
  readonly clients: number;
  readonly secondsSinceUpdate: number;
  readonly startUs: number;
  readonly nowUs: number;
  readonly loginId: string;
  readonly bytesIn: number;
  readonly bytesInLastSecond: number;
  readonly bytesOut: number;
  readonly bytesOutLastSecond: number;
  /** Simulated seconds the replay has run, for the averages (at least 1). */
  readonly elapsedSeconds: number;
}

const kb = (bytes: number): string => (bytes / 1024).toFixed(2);

/**
 * `S,STATS,<ip>,<port>,<max syms>,<syms>,<clients>,<secs since update>,<reconnections>,
 * <failed reconnections>,<start time>,<market time>,<status>,<version>,<login id>,<KB recv>,
 * <KB/s recv>,<avg KB/s recv>,<KB sent>,<KB/s sent>,<avg KB/s sent>,` — with the server address
 * and times empty when not connected, as in a real "Not Connected" line. Start time has a
 * 1-digit hour and market time a 2-digit one, as recorded.
 */
export function statsLine(f: StatsFigures): string {
  const up = f.connected;
  const elapsed = Math.max(1, f.elapsedSeconds);
  return [
    'S,STATS',
    up ? SERVER_IP : '',
    up ? String(SERVER_PORT) : '',
    f.maxSymbols,
    f.symbols,
    f.clients,
    Math.floor(f.secondsSinceUpdate),
    f.reconnections,
    0,
    up ? statsTime(f.startUs, false) : '',
    up ? statsTime(f.nowUs, true) : '',
    up ? 'Connected' : 'Not Connected',
    IQCONNECT_VERSION,
    f.loginId,
    kb(f.bytesIn),
    kb(f.bytesInLastSecond),
    kb(f.bytesIn / elapsed),
    kb(f.bytesOut),
    kb(f.bytesOutLastSecond),
    kb(f.bytesOut / elapsed),
    '',
  ].join(',');
}

export interface ClientFigures {
  readonly type: number;
  readonly id: number;
  readonly name: string;
  readonly connectedSimUs: number;
  readonly symbols: number | null;
  readonly regional: number | null;
  readonly bytesIn: number;
  readonly bytesOut: number;
  readonly bytesQueued: number;
}

/**
 * `S,CLIENTSTATS,<type>,<id>,<name>,<start>,<symbols>,<regional>,<KB received>,<KB sent>,
 * <KB queued>,` — received-then-sent, the order the recording fits (§7.3).
 */
export function clientStatsLine(c: ClientFigures): string {
  return [
    'S,CLIENTSTATS',
    c.type,
    c.id,
    c.name,
    compactDateTime(c.connectedSimUs),
    c.symbols ?? '',
    c.regional ?? '',
    kb(c.bytesIn),
    kb(c.bytesOut),
    kb(c.bytesQueued),
    '',
  ].join(',');
}

/**
 * The echo of `S,SET PASSWORD`. IQConnect masks all but the first and last character
 * (`(3*****2)`); the simulator masks every character and always prints seven stars, so neither
 * the password nor its length ever leaves the process.
 */
export const MASKED_PASSWORD = '(*******)';
