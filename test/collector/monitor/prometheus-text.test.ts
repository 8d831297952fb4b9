import { describe, expect, it } from 'vitest';
import { parsePrometheusText } from './prometheus-text.js';

// The reader the /metrics test relies on must itself reject what Prometheus would.
describe('parsePrometheusText', () => {
  it('reads a valid exposition', () => {
    const text =
      '# HELP a_total A.\n# TYPE a_total counter\na_total{x="1",y="q\\"z"} 5\n# TYPE h histogram\nh_bucket{le="+Inf"} 2\nh_count 2\n';
    const p = parsePrometheusText(text);
    expect(p.value('a_total', { y: 'q"z' })).toBe(5);
    expect(p.value('h_bucket', { le: '+Inf' })).toBe(2);
  });

  it.each([
    ['no final newline', '# TYPE a gauge\na 1'],
    ['sample before TYPE', 'a 1\n'],
    ['bad value', '# TYPE a gauge\na one\n'],
    ['unterminated label', '# TYPE a gauge\na{x="1} 1\n'],
    ['bad label name', '# TYPE a gauge\na{1x="1"} 1\n'],
    ['unknown type', '# TYPE a meter\na 1\n'],
    ['two TYPEs', '# TYPE a gauge\n# TYPE a gauge\na 1\n'],
    ['missing value', '# TYPE a gauge\na\n'],
  ])('rejects %s', (_what, text) => {
    expect(() => parsePrometheusText(text)).toThrow();
  });
});
