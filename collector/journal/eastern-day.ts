/**
 * US Eastern calendar days: the journal starts a new segment when the Eastern date of the
 * receive time changes, so a segment never spans two market days. Computed once per segment,
 * not per line: the hot path compares against the next midnight in µs.
 */
const eastern = new Intl.DateTimeFormat('en-US', {
  timeZone: 'America/New_York',
  hourCycle: 'h23',
  year: 'numeric',
  month: 'numeric',
  day: 'numeric',
  hour: 'numeric',
  minute: 'numeric',
  second: 'numeric',
});

interface LocalParts {
  readonly y: number;
  readonly m: number;
  readonly d: number;
  readonly h: number;
  readonly mi: number;
  readonly s: number;
}

function partsAt(ms: number): LocalParts {
  const p: Record<string, number> = {};
  for (const part of eastern.formatToParts(ms))
    if (part.type !== 'literal') p[part.type] = Number(part.value);
  return { y: p.year, m: p.month, d: p.day, h: p.hour, mi: p.minute, s: p.second };
}

/** Eastern wall time minus UTC at this instant, in ms (−5 h or −4 h). */
function offsetMs(ms: number): number {
  const p = partsAt(ms);
  return Date.UTC(p.y, p.m - 1, p.d, p.h, p.mi, p.s) - Math.floor(ms / 1000) * 1000;
}

/** `YYYY-MM-DD` of the instant in US Eastern time. */
export function easternDate(epochUs: number): string {
  const p = partsAt(Math.floor(epochUs / 1000));
  return `${p.y}-${String(p.m).padStart(2, '0')}-${String(p.d).padStart(2, '0')}`;
}

/** Epoch µs of the first Eastern midnight after the instant. */
export function nextEasternMidnightUs(epochUs: number): number {
  const p = partsAt(Math.floor(epochUs / 1000));
  const localMidnight = Date.UTC(p.y, p.m - 1, p.d + 1);
  // The offset at midnight can differ from now's (DST); US changes happen at 02:00, never at
  // midnight, so two rounds settle it.
  let utc = localMidnight - offsetMs(localMidnight);
  utc = localMidnight - offsetMs(utc);
  return utc * 1000;
}
