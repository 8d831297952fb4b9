/**
 * Number formatting shared by the HTML and Markdown reports. Values are printed exactly as
 * measured (no rounding of counts; shortest round-trip form for decimals), with a fixed locale so
 * the same results always give the same report.
 */
const grouped = new Intl.NumberFormat('en-US', { useGrouping: true });

export function formatNumber(n: number): string {
  return Number.isInteger(n) ? grouped.format(n) : String(n);
}

export function formatMs(ms: number): string {
  return `${String(ms)} ms`;
}

/** A duration as measured, in seconds with milliseconds, plus h/min/s when it is long. */
export function formatDuration(ms: number): string {
  const exact = `${(ms / 1000).toFixed(3)} s`;
  if (ms < 60_000) return exact;
  const totalS = Math.floor(ms / 1000);
  const h = Math.floor(totalS / 3600);
  const min = Math.floor((totalS % 3600) / 60);
  const s = totalS % 60;
  const human = h > 0 ? `${h} h ${min} min ${s} s` : `${min} min ${s} s`;
  return `${exact} (${human})`;
}

/** A free-form value from `config` or `details`, as one line of text. */
export function formatValue(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return formatNumber(value);
  return JSON.stringify(value) ?? String(value);
}

/** Nested config objects flattened to dotted keys, in the order they came. */
export function flatten(obj: Readonly<Record<string, unknown>>, prefix = ''): [string, unknown][] {
  const out: [string, unknown][] = [];
  for (const [key, value] of Object.entries(obj)) {
    const path = prefix === '' ? key : `${prefix}.${key}`;
    if (isObject(value) && Object.keys(value).length > 0) {
      out.push(...flatten(value, path));
    } else {
      out.push([path, value]);
    }
  }
  return out;
}

function isObject(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
