import type { MetricsSample } from '../harness/results/types.js';
import {
  ObjectReader,
  parseJsonText,
  readNonNegative,
  readNumber,
  readRecord,
  rootLocation,
} from './json-reader.js';

/**
 * Runtime validation of a metrics timeline (`metrics.jsonl`, one `MetricsSample` per line).
 * Blank lines are skipped (a trailing newline, a file being appended to); anything else that is
 * not a sample is an error naming its line.
 */
export interface ValidatedMetrics {
  readonly samples: readonly MetricsSample[];
  readonly ignoredFields: readonly string[];
}

function readNumbers(value: unknown, loc: Parameters<typeof readNumber>[1]): Record<string, number> {
  return readRecord(value, loc, readNumber);
}

export function parseMetricsSamples(text: string, file = 'metrics.jsonl'): ValidatedMetrics {
  const ignored: string[] = [];
  const samples: MetricsSample[] = [];
  const lines = text.split('\n');
  lines.forEach((raw, index) => {
    const line = raw.trim();
    if (line === '') return;
    const loc = rootLocation(file, ignored, index + 1);
    const r = new ObjectReader(parseJsonText(line, loc), loc);
    samples.push({
      t: r.field('t', readNonNegative),
      rates: r.field('rates', readNumbers),
      lag: r.field('lag', readNumbers),
      queues: r.field('queues', readNumbers),
      rssMb: r.field('rssMb', readNumbers),
    });
    const before = ignored.length;
    r.done();
    // One note per unknown key, not one per line: a timeline has thousands of lines.
    for (const key of ignored.splice(before)) {
      const note = `${key} (${file})`;
      if (!ignored.includes(note)) ignored.push(note);
    }
  });
  return { samples, ignoredFields: ignored };
}
