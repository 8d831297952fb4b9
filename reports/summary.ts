import type { CheckGroup, MetricsSample, RunResults } from '../harness/results/types.js';
import { anchorsOf, checkAnchors } from './anchors.js';
import { type ChartId, type ChartSet, perChart } from './charts.js';

/**
 * The report's own summary (in `report.json` beside the results): counts derived from the checks,
 * which sections had data, and what the reader left out. Only counting, no judgement: the
 * verdict is the one in `results.json`.
 */
export interface GroupSummary {
  readonly group: CheckGroup;
  readonly total: number;
  readonly passed: number;
  readonly failed: number;
}

export interface FailedCheckSummary {
  readonly id: string;
  readonly group: CheckGroup;
  readonly title: string;
  readonly threshold: string;
  readonly measured: string;
  /** Link to its evidence in the HTML report, relative to the report directory. */
  readonly evidence: string;
}

export interface ChartSummary {
  readonly measured: boolean;
  readonly series: readonly string[];
  readonly points: number;
}

export interface ReportSummary {
  readonly schema: 'l2h.report/1';
  readonly verdict: 'pass' | 'fail';
  readonly checks: { readonly total: number; readonly passed: number; readonly failed: number };
  readonly groups: readonly GroupSummary[];
  readonly failed: readonly FailedCheckSummary[];
  readonly charts: Readonly<Record<ChartId, ChartSummary>>;
  readonly metricsSamples: number;
  /** Fields found in the inputs that this version of the report does not read. */
  readonly ignoredFields: readonly string[];
  /** Evidence files named by checks but absent from the run directory. */
  readonly missingFiles: readonly string[];
}

export interface SummaryInputs {
  readonly ignoredFields?: readonly string[];
  readonly missingFiles?: ReadonlySet<string>;
}

function chartSummary(charts: ChartSet, id: ChartId): ChartSummary {
  const spec = charts[id];
  if (spec === null) return { measured: false, series: [], points: 0 };
  const datasets = spec.config.data.datasets;
  return {
    measured: true,
    series: datasets.map((d) => d.label ?? ''),
    points: datasets.reduce((n, d) => n + d.data.length, 0),
  };
}

export function summarize(
  results: RunResults,
  samples: readonly MetricsSample[],
  charts: ChartSet,
  inputs: SummaryInputs = {},
): ReportSummary {
  const counts = new Map<CheckGroup, { total: number; passed: number; failed: number }>();
  for (const check of results.checks) {
    const g = counts.get(check.group) ?? { total: 0, passed: 0, failed: 0 };
    g.total += 1;
    if (check.pass) g.passed += 1;
    else g.failed += 1;
    counts.set(check.group, g);
  }
  const groups = [...counts].map(([group, g]) => ({ group, ...g }));
  const anchors = checkAnchors(results.checks);
  const failed = results.checks
    .filter((c) => !c.pass)
    .map((c) => ({
      id: c.id,
      group: c.group,
      title: c.title,
      threshold: c.threshold,
      measured: c.measured,
      evidence: `index.html#${anchorsOf(anchors, c).evidence}`,
    }));
  const passed = results.checks.length - failed.length;
  return {
    schema: 'l2h.report/1',
    verdict: results.verdict,
    checks: { total: results.checks.length, passed, failed: failed.length },
    groups,
    failed,
    charts: perChart((id) => chartSummary(charts, id)),
    metricsSamples: samples.length,
    ignoredFields: [...(inputs.ignoredFields ?? [])],
    missingFiles: [...(inputs.missingFiles ?? [])].sort(),
  };
}
