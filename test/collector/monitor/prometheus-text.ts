/**
 * A strict reader of the Prometheus text exposition format 0.0.4, for tests: it throws on any
 * line a Prometheus server would reject, naming the line, and returns the samples.
 */
export interface PromSample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

export interface PromText {
  readonly types: ReadonlyMap<string, string>;
  readonly samples: readonly PromSample[];
  /** The value of the one sample with this name whose labels include `labels`. */
  value(name: string, labels: Readonly<Record<string, string>>): number;
}

const METRIC = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*/;
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);
const SUFFIXES: Readonly<Record<string, readonly string[]>> = {
  histogram: ['_bucket', '_sum', '_count'],
  summary: ['_sum', '_count'],
};

export function parsePrometheusText(text: string): PromText {
  const types = new Map<string, string>();
  const samples: PromSample[] = [];
  if (!text.endsWith('\n')) throw new Error('exposition must end with a newline');
  text
    .slice(0, -1)
    .split('\n')
    .forEach((line, i) => {
      const where = `line ${i + 1}: ${JSON.stringify(line)}`;
      if (line === '') return;
      if (line.startsWith('#')) {
        const m = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line);
        if (!m) return; // a plain comment
        if (!METRIC.test(m[2]) || METRIC.exec(m[2])![0] !== m[2])
          throw new Error(`bad metric name, ${where}`);
        if (m[1] === 'TYPE') {
          if (!TYPES.has(m[3])) throw new Error(`unknown type, ${where}`);
          if (types.has(m[2])) throw new Error(`second TYPE for ${m[2]}, ${where}`);
          types.set(m[2], m[3]);
        }
        return;
      }
      const sample = parseSample(line, where);
      if (familyOf(sample.name, types) === null) throw new Error(`sample before its TYPE, ${where}`);
      samples.push(sample);
    });
  return {
    types,
    samples,
    value(name, labels) {
      const hits = samples.filter(
        (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
      );
      if (hits.length !== 1)
        throw new Error(`${hits.length} samples match ${name} ${JSON.stringify(labels)}`);
      return hits[0].value;
    },
  };
}

function familyOf(name: string, types: ReadonlyMap<string, string>): string | null {
  if (types.has(name)) return name;
  for (const [family, type] of types) {
    if ((SUFFIXES[type] ?? []).some((suffix) => name === family + suffix)) return family;
  }
  return null;
}

function parseSample(line: string, where: string): PromSample {
  const name = METRIC.exec(line)?.[0];
  if (!name) throw new Error(`bad metric name, ${where}`);
  let rest = line.slice(name.length);
  const labels: Record<string, string> = {};
  if (rest.startsWith('{')) {
    rest = rest.slice(1);
    while (!rest.startsWith('}')) {
      const label = LABEL.exec(rest)?.[0];
      if (!label || rest[label.length] !== '=' || rest[label.length + 1] !== '"') {
        throw new Error(`bad label, ${where}`);
      }
      rest = rest.slice(label.length + 2);
      let value = '';
      for (;;) {
        const c = rest[0];
        if (c === undefined) throw new Error(`unterminated label value, ${where}`);
        rest = rest.slice(1);
        if (c === '"') break;
        if (c === '\\') {
          const e = rest[0];
          rest = rest.slice(1);
          if (e === 'n') value += '\n';
          else if (e === '\\' || e === '"') value += e;
          else throw new Error(`bad escape, ${where}`);
        } else value += c;
      }
      if (label in labels) throw new Error(`repeated label ${label}, ${where}`);
      labels[label] = value;
      if (rest.startsWith(',')) rest = rest.slice(1);
      else if (!rest.startsWith('}')) throw new Error(`expected , or }, ${where}`);
    }
    rest = rest.slice(1);
  }
  const m = /^ (\S+)(?: (-?\d+))?$/.exec(rest);
  if (!m) throw new Error(`expected " value [timestamp]", ${where}`);
  const raw = m[1];
  const value =
    raw === '+Inf'
      ? Number.POSITIVE_INFINITY
      : raw === '-Inf'
        ? Number.NEGATIVE_INFINITY
        : raw === 'NaN'
          ? Number.NaN
          : Number(raw);
  if (Number.isNaN(value) && raw !== 'NaN') throw new Error(`bad value, ${where}`);
  if (raw.trim() === '') throw new Error(`empty value, ${where}`);
  return { name, labels, value };
}
