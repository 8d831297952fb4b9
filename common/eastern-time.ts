/**
 * IQFeed reports US Eastern exchange time without a zone marker; records keep that convention.
 * Receive times (epoch µs) are turned into the same local form with the IANA zone, so daylight
 * saving changes are handled by the platform's time zone data.
 */
const formatter = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'America/New_York',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
});

interface EasternParts {
  readonly date: string; // YYYY-MM-DD
  readonly time: string; // HH:MM:SS
}

/** The zone's offset from UTC, in seconds, from the formatter (the platform's zone data). */
function offsetAt(second: number): number {
  const p: Record<string, string> = {};
  for (const part of formatter.formatToParts(new Date(second * 1000))) p[part.type] = part.value;
  const local = Date.UTC(+p.year!, +p.month! - 1, +p.day!, +p.hour!, +p.minute!, +p.second!) / 1000;
  return local - second;
}

/**
 * Offsets by UTC hour. US Eastern changes its offset only on a whole UTC hour (02:00 local is
 * 07:00 or 06:00 UTC), so one lookup per hour serves every second of it: formatting a second
 * through Intl costs microseconds, and a replay at speed asks for thousands of simulated seconds
 * each wall second, alternating between far-apart times (a tape's start and its clock).
 */
const offsets = new Map<number, number>();

function offsetOf(second: number): number {
  const hour = Math.floor(second / 3600);
  let o = offsets.get(hour);
  if (o === undefined) {
    if (offsets.size >= 1024) offsets.clear();
    o = offsetAt(hour * 3600);
    offsets.set(hour, o);
  }
  return o;
}

const pad2 = (n: number): string => (n < 10 ? `0${n}` : String(n));

let cacheSecond = Number.NaN;
let cacheParts: EasternParts = { date: '', time: '' };

export function easternParts(epochUs: number): EasternParts {
  const second = Math.floor(epochUs / 1_000_000);
  if (second === cacheSecond) return cacheParts;
  const d = new Date((second + offsetOf(second)) * 1000);
  cacheSecond = second;
  cacheParts = {
    date: `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())}`,
    time: `${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}`,
  };
  return cacheParts;
}

/** `YYYY-MM-DDTHH:MM:SS.ffffff` in US Eastern for an epoch time in microseconds. */
export function easternIso(epochUs: number): string {
  const { date, time } = easternParts(epochUs);
  const micros = String(((epochUs % 1_000_000) + 1_000_000) % 1_000_000).padStart(6, '0');
  return `${date}T${time}.${micros}`;
}

/** `YYYYMMDD` in US Eastern. */
export function easternDay(epochUs: number): string {
  return easternParts(epochUs).date.replaceAll('-', '');
}

/**
 * Epoch µs of a US Eastern wall-clock time (`YYYY-MM-DD`, `HH:MM:SS[.ffffff]`). Used by the
 * generator and the simulator to anchor a tape's clock.
 */
export function easternToEpochUs(date: string, time: string): number {
  const [y, mo, d] = date.split('-').map(Number) as [number, number, number];
  const [hms, frac = ''] = time.split('.');
  const [h, mi, s] = (hms ?? '00:00:00').split(':').map(Number) as [number, number, number];
  const micros = Number((frac + '000000').slice(0, 6));
  // Guess with the standard offset (UTC−5), then correct by what the zone says at that instant.
  const guessMs = Date.UTC(y, mo - 1, d, h + 5, mi, s);
  const shown = easternParts(guessMs * 1000);
  const [sh, sm, ss] = shown.time.split(':').map(Number) as [number, number, number];
  const [sy, smo, sd] = shown.date.split('-').map(Number) as [number, number, number];
  const shownDay = Date.UTC(sy, smo - 1, sd);
  const wantDay = Date.UTC(y, mo - 1, d);
  const deltaMs = wantDay - shownDay + ((h - sh) * 3600 + (mi - sm) * 60 + (s - ss)) * 1000;
  return (guessMs + deltaMs) * 1000 + micros;
}

/** Eastern wall time minus UTC at this instant, in ms (−5 h or −4 h). */
function offsetMs(ms: number): number {
  const p = easternParts(ms * 1000);
  const [y, mo, d] = p.date.split('-').map(Number) as [number, number, number];
  const [h, mi, s] = p.time.split(':').map(Number) as [number, number, number];
  return Date.UTC(y, mo - 1, d, h, mi, s) - Math.floor(ms / 1000) * 1000;
}

/**
 * Epoch µs of the first US Eastern midnight after the instant: the journal starts a new segment
 * there, so a segment never spans two market days (computed once per segment, not per line).
 */
export function nextEasternMidnightUs(epochUs: number): number {
  const [y, mo, d] = easternParts(epochUs).date.split('-').map(Number) as [number, number, number];
  const localMidnight = Date.UTC(y, mo - 1, d + 1);
  // The offset at midnight can differ from now's (DST); US changes happen at 02:00, never at
  // midnight, so two rounds settle it.
  let utc = localMidnight - offsetMs(localMidnight);
  utc = localMidnight - offsetMs(utc);
  return utc * 1000;
}

/** `YYYY-MM-DD` of the instant in US Eastern time. */
export function easternDate(epochUs: number): string {
  return easternParts(epochUs).date;
}
