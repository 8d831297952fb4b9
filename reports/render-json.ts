import type { MetricsSample, RunResults } from '../harness/results/types.js';
import { buildCharts } from './charts.js';
import { type ReportSummary, type SummaryInputs, summarize } from './summary.js';

/**
 * `report.json`: the results as read plus the report's summary. Keys are sorted at every level so
 * the same run always gives byte-identical output, whatever order the producer wrote.
 */
export interface ReportDocument {
  readonly summary: ReportSummary;
  readonly results: RunResults;
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return Object.fromEntries(entries.map(([k, v]) => [k, sortKeys(v)]));
  }
  return value;
}

export function stableStringify(value: unknown): string {
  return `${JSON.stringify(sortKeys(value), null, 2)}\n`;
}

export function renderJson(
  results: RunResults,
  samples: readonly MetricsSample[] = [],
  inputs: SummaryInputs = {},
): string {
  const doc: ReportDocument = {
    summary: summarize(results, samples, buildCharts(results, samples), inputs),
    results,
  };
  return stableStringify(doc);
}
