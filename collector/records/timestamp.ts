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

/** Seconds into the day of a padded time (`HH:MM:SS…`). */
function secondsOf(time: string): number {
  const d = (i: number) => time.charCodeAt(i) - 48;
  return (d(0) * 10 + d(1)) * 3600 + (d(3) * 10 + d(4)) * 60 + d(6) * 10 + d(7);
}

const HALF_DAY_S = 12 * 3600;

/**
 * The later of two padded times, or whichever exists. They compare as text, except across
 * midnight: times more than 12 hours apart are taken to straddle it (a bid time of 23:59:59.7
 * and an ask time of 00:00:00.4 on a future that trades through the night), so the smaller is
 * the later.
 */
export function laterTime(a: string | null, b: string | null): string | null {
  if (a === null) return b;
  if (b === null) return a;
  const later = a > b ? a : b;
  const earlier = later === a ? b : a;
  return secondsOf(later) - secondsOf(earlier) > HALF_DAY_S ? earlier : later;
}

/** `YYYY-MM-DD` moved by `days`. */
function shiftDate(date: string, days: number): string {
  const t = Date.UTC(
    Number(date.slice(0, 4)),
    Number(date.slice(5, 7)) - 1,
    Number(date.slice(8, 10)) + days,
  );
  return new Date(t).toISOString().slice(0, 10);
}

/**
 * The date of an event at `time` when the date is taken from elsewhere (the last `T` line, or
 * the receive time), which is `baseDate` at `baseTime`: the same date, unless the two times lie
 * more than 12 hours apart, when midnight lies between them. A quote whose bid last changed at
 * 23:59:59.7, read after the 00:00:00 `T` line, happened the day before that line's date.
 */
export function dateAround(baseDate: string, baseTime: string, time: string): string {
  const ahead = secondsOf(time) - secondsOf(baseTime);
  if (ahead > HALF_DAY_S) return shiftDate(baseDate, -1);
  if (ahead < -HALF_DAY_S) return shiftDate(baseDate, 1);
  return baseDate;
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
 * the channel's last `T` date, then the receive date (the day before or after it when midnight
 * lies between the message's time and that source's: `dateAround`); the time to the `T` time,
 * then the receive time (with its microseconds: it is the most precise event time there is).
 */
export function stamp(
  date: string | null,
  time: string | null,
  t: TStamp | null,
  receivedUs: number,
): string {
  let d: string;
  if (date !== null) d = date;
  else if (time === null) d = t?.date ?? receiveDate(receivedUs);
  // The message's own time with a date from elsewhere: midnight may lie between them.
  else if (t !== null) d = dateAround(t.date, t.time, time);
  else d = dateAround(receiveDate(receivedUs), receiveTime(receivedUs), time);
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
