/**
 * Record timestamps (ARCHITECTURE.md "Records"): `YYYY-MM-DDTHH:MM:SS.ffffff`, US Eastern, built
 * from the message's own date and time, falling back per part to the last `T` line of the channel
 * and then to the receive time. Every function here is pure, so re-deriving a journal gives the
 * same text.
 */
import { easternParts } from '../../common/eastern-time.js';

/** The date and time of the last `T,YYYYMMDD HH:MM:SS` line of a channel, in record form. */
export interface TStamp {
  /** `YYYY-MM-DD` */
  readonly date: string;
  /** `HH:MM:SS.000000` */
  readonly time: string;
}

/**
 * A wire time as a record time: `HH:MM:SS` → `HH:MM:SS.000000`, a shorter fraction padded, a
 * longer one cut to microseconds. Null for a missing time and for legacy depth's `99:99:99`
 * ("no time", IQFEED-PROTOCOL.md §6.5).
 */
export function padTime(time: string | null | undefined): string | null {
  if (time === null || time === undefined || time.length < 8) return null;
  // The common case on the wire already has six decimals (and an hour that cannot start with 9).
  if (time.length === 15 && time.charCodeAt(8) === 46 && time.charCodeAt(0) !== 57) return time;
  if (time.startsWith('99:99:99')) return null;
  if (time.length === 8) return `${time}.000000`;
  return `${time}000000`.slice(0, 15);
}

/** The later of two padded times (they compare as text), or whichever exists. */
export function laterTime(a: string | null, b: string | null): string | null {
  if (a === null) return b;
  if (b === null) return a;
  return a > b ? a : b;
}

/** `T,20250725 09:30:00` as decoded (`2025-07-25T09:30:00`) → the parts a record uses. */
export function tStampOf(isoSeconds: string): TStamp {
  return { date: isoSeconds.slice(0, 10), time: `${isoSeconds.slice(11, 19)}.000000` };
}

/** The receive time's Eastern time of day with its microseconds: `HH:MM:SS.ffffff`. */
export function receiveTime(epochUs: number): string {
  const micros = ((epochUs % 1_000_000) + 1_000_000) % 1_000_000;
  return `${easternParts(epochUs).time}.${String(micros).padStart(6, '0')}`;
}

export function receiveDate(epochUs: number): string {
  return easternParts(epochUs).date;
}

/**
 * A record timestamp from the parts a message has. Each part falls back on its own: the date to
 * the channel's last `T` date, then the receive date; the time to the `T` time, then the receive
 * time (with its microseconds: it is the most precise event time there is).
 */
export function stamp(
  date: string | null,
  time: string | null,
  t: TStamp | null,
  receivedUs: number,
): string {
  const d = date ?? t?.date ?? receiveDate(receivedUs);
  const tm = time ?? t?.time ?? receiveTime(receivedUs);
  stampDay = dayOfDate(d);
  return `${d}T${tm}`;
}

let stampDay = '';

/** `YYYYMMDD` of the timestamp the last `stamp` call built (saves re-reading the joined text). */
export function lastStampDay(): string {
  return stampDay;
}

let lastDate = '';
let lastDay = '';

/** `YYYYMMDD` of a record date `YYYY-MM-DD`. */
export function dayOfDate(date: string): string {
  // Nearly every record of a run has the same date (often the very same string): keep the last.
  if (date === lastDate) return lastDay;
  lastDate = date;
  lastDay = `${date.slice(0, 4)}${date.slice(5, 7)}${date.slice(8, 10)}`;
  return lastDay;
}

/** `YYYYMMDD` of a record timestamp: picks the JSONL file and the day partition. */
export function dayOf(timestamp: string): string {
  return dayOfDate(timestamp.slice(0, 10));
}
