/**
 * The text forms of simulated time that IQConnect prints (IQFEED-PROTOCOL.md §8). Simulated
 * time is epoch µs; IQFeed shows US Eastern wall time without a zone marker.
 */
import { easternParts } from '../common/eastern-time.js';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `T,YYYYMMDD HH:MM:SS` (no trailing comma, §5.8). */
export function timestampLine(simUs: number): string {
  const { date, time } = easternParts(simUs);
  return `T,${date.slice(0, 4)}${date.slice(5, 7)}${date.slice(8, 10)} ${time}`;
}

/**
 * `Mon DD h:mmAM` as in `S,STATS`. A real line mixes a 1-digit start hour with a 2-digit market
 * hour (`Jul 05 7:26AM,Jul 05 04:15AM`), so the caller picks the hour width per field: clients
 * that parse only one width break here as they would against IQConnect.
 */
export function statsTime(simUs: number, twoDigitHour: boolean): string {
  const { date, time } = easternParts(simUs);
  const month = MONTHS[Number(date.slice(5, 7)) - 1];
  const h24 = Number(time.slice(0, 2));
  const h12 = h24 % 12 === 0 ? 12 : h24 % 12;
  const hour = twoDigitHour ? String(h12).padStart(2, '0') : String(h12);
  return `${month} ${date.slice(8, 10)} ${hour}:${time.slice(3, 5)}${h24 < 12 ? 'AM' : 'PM'}`;
}

/** `YYYYMMDD HHMMSS` as in `S,CLIENTSTATS` and news lines. */
export function compactDateTime(simUs: number): string {
  const { date, time } = easternParts(simUs);
  return `${date.replaceAll('-', '')} ${time.replaceAll(':', '')}`;
}

/** `YYYYMMDD` (the `S,CUST` expiration date). */
export function compactDate(simUs: number): string {
  return easternParts(simUs).date.replaceAll('-', '');
}

export const SECOND_US = 1_000_000;

/** The first whole second strictly after `simUs`. */
export function nextWholeSecond(simUs: number): number {
  return (Math.floor(simUs / SECOND_US) + 1) * SECOND_US;
}
