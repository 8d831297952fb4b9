import { describe, expect, it } from 'vitest';
import { L2hError } from '../../common/errors.js';
import { parseMetricsSamples } from '../../reports/validate-metrics.js';
import { metricsSamples } from './run-fixtures.js';

function errorOf(text: string): L2hError {
  try {
    parseMetricsSamples(text, 'run/metrics.jsonl');
  } catch (err) {
    if (err instanceof L2hError) return err;
    throw err;
  }
  throw new Error('expected parseMetricsSamples to reject its input');
}

describe('parseMetricsSamples', () => {
  it('reads one sample per line and skips blank lines', () => {
    const samples = metricsSamples(5);
    const text = `${samples.map((s) => JSON.stringify(s)).join('\n')}\n\n`;
    expect(parseMetricsSamples(text).samples).toEqual(samples);
    expect(parseMetricsSamples('').samples).toEqual([]);
  });

  it('names the line and field of a bad sample', () => {
    const [a, b] = metricsSamples(2).map((s) => JSON.stringify(s));
    const bad = b!.replace('"journal":', '"journal":"fast","x":');
    const err = errorOf(`${a}\n${bad}\n`);
    expect(err.code).toBe('BAD_INPUT');
    expect(err.message).toBe('run/metrics.jsonl:2: rates.journal must be a number (found string "fast")');
    expect(err.context).toEqual({ file: 'run/metrics.jsonl', line: 2, field: 'rates.journal' });
  });

  it('names the line of text that is not JSON', () => {
    const [a] = metricsSamples(1).map((s) => JSON.stringify(s));
    const err = errorOf(`${a}\n{"t": 2, "rates"\n`);
    expect(err.message).toMatch(/^run\/metrics\.jsonl:2 is not valid JSON: /);
  });

  it('requires every field of a sample', () => {
    expect(errorOf('{"t":1,"rates":{},"lag":{},"queues":{}}').message).toBe(
      'run/metrics.jsonl:1: rssMb is missing',
    );
  });

  it('notes an unknown field once, not once per line', () => {
    const text = metricsSamples(3)
      .map((s) => JSON.stringify({ ...s, cpu: 0.5 }))
      .join('\n');
    expect(parseMetricsSamples(text, 'm.jsonl').ignoredFields).toEqual(['cpu (m.jsonl)']);
  });
});
