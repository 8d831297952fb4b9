import type { ChartConfiguration } from 'chart.js';
import type { LatencySummary, LoadStep, MetricsSample, RunResults } from '../harness/results/types.js';

/**
 * The charts of the HTML report as Chart.js configurations: plain JSON, embedded in the page and
 * handed to `new Chart` there. A chart whose data the run did not record is `null`, and the page
 * says "not measured in this run" in its place.
 */
export const CHART_IDS = [
  'chart-throughput',
  'chart-latency-pct',
  'chart-latency-hist',
  'chart-lag',
  'chart-mix',
  'chart-load',
] as const;
export type ChartId = (typeof CHART_IDS)[number];

export interface XY {
  readonly x: number;
  readonly y: number | null;
}

export type LineConfig = ChartConfiguration<'line', XY[]>;
export type BarConfig = ChartConfiguration<'bar', (number | null)[]>;

export interface ChartSpec {
  readonly id: ChartId;
  /** Accessible name of the canvas. */
  readonly label: string;
  /** CSS height of the chart box: bar charts with many categories need more room. */
  readonly heightPx: number;
  readonly config: LineConfig | BarConfig;
}

export type ChartSet = Readonly<Record<ChartId, ChartSpec | null>>;

/** One value per chart id, typed as a complete record. */
export function perChart<T>(make: (id: ChartId) => T): Record<ChartId, T> {
  return {
    'chart-throughput': make('chart-throughput'),
    'chart-latency-pct': make('chart-latency-pct'),
    'chart-latency-hist': make('chart-latency-hist'),
    'chart-lag': make('chart-lag'),
    'chart-mix': make('chart-mix'),
    'chart-load': make('chart-load'),
  };
}

// Tableau 10: distinct at a glance and on paper; assigned by sorted series name, so stable.
const PALETTE = [
  '#4e79a7',
  '#f28e2b',
  '#e15759',
  '#76b7b2',
  '#59a14f',
  '#edc948',
  '#b07aa1',
  '#ff9da7',
  '#9c755f',
  '#bab0ac',
] as const;

export function seriesColor(index: number): string {
  return PALETTE[index % PALETTE.length] ?? PALETTE[0];
}

// No animation: a report is a document, and screenshots of it must not depend on timing.
const FIXED = { animation: false, responsive: true, maintainAspectRatio: false } as const;

function axisTitle(text: string): { display: true; text: string } {
  return { display: true, text };
}

/** Series names appearing in any sample of one per-series field, sorted. */
function seriesKeys(samples: readonly MetricsSample[], field: 'rates' | 'lag'): string[] {
  const keys = new Set<string>();
  for (const s of samples) for (const k of Object.keys(s[field])) keys.add(k);
  return [...keys].sort();
}

function timeline(
  id: ChartId,
  label: string,
  samples: readonly MetricsSample[],
  field: 'rates' | 'lag',
  yTitle: string,
): ChartSpec | null {
  const keys = seriesKeys(samples, field);
  if (keys.length === 0) return null;
  const pointRadius = samples.length <= 120 ? 2 : 0;
  return {
    id,
    label,
    heightPx: 320,
    config: {
      type: 'line',
      data: {
        datasets: keys.map((key, i) => ({
          label: key,
          // A series missing from a sample is a gap, not a zero: nothing was measured there.
          data: samples.map((s) => ({ x: s.t, y: s[field][key] ?? null })),
          borderColor: seriesColor(i),
          backgroundColor: seriesColor(i),
          borderWidth: 2,
          pointRadius,
          spanGaps: false,
        })),
      },
      options: {
        ...FIXED,
        scales: {
          x: { type: 'linear', title: axisTitle('seconds since the run started') },
          y: { beginAtZero: true, title: axisTitle(yTitle) },
        },
      },
    },
  };
}

function latencyPercentiles(latency: readonly LatencySummary[]): ChartSpec | null {
  if (latency.length === 0) return null;
  const series: [string, (l: LatencySummary) => number][] = [
    ['p50', (l) => l.p50Ms],
    ['p99', (l) => l.p99Ms],
    ['p99.9', (l) => l.p999Ms],
    ['max', (l) => l.maxMs],
  ];
  return {
    id: 'chart-latency-pct',
    label: 'Latency percentiles per path, in milliseconds',
    heightPx: 320,
    config: {
      type: 'bar',
      data: {
        labels: latency.map((l) => l.name),
        datasets: series.map(([name, pick], i) => ({
          label: name,
          data: latency.map(pick),
          backgroundColor: seriesColor(i),
          borderColor: seriesColor(i),
        })),
      },
      options: {
        ...FIXED,
        scales: { y: { beginAtZero: true, title: axisTitle('milliseconds') } },
      },
    },
  };
}

function latencyHistogram(latency: readonly LatencySummary[]): ChartSpec | null {
  const bounds = [...new Set(latency.flatMap((l) => l.buckets.map((b) => b.leMs)))].sort((a, b) => a - b);
  if (bounds.length === 0) return null;
  return {
    id: 'chart-latency-hist',
    label: 'Latency histogram per path: count per bucket upper bound',
    heightPx: 320,
    config: {
      type: 'bar',
      data: {
        labels: bounds.map((le) => `≤ ${le} ms`),
        datasets: latency.map((l, i) => ({
          label: l.name,
          // A bound this path has no bucket for is absent, not zero.
          data: bounds.map((le) => l.buckets.find((b) => b.leMs === le)?.count ?? null),
          backgroundColor: seriesColor(i),
          borderColor: seriesColor(i),
        })),
      },
      options: {
        ...FIXED,
        scales: {
          x: { title: axisTitle('bucket upper bound') },
          y: { beginAtZero: true, title: axisTitle('count, as recorded per bucket') },
        },
      },
    },
  };
}

function messageMix(mix: Readonly<Record<string, number>>): ChartSpec | null {
  const keys = Object.keys(mix).sort();
  if (keys.length === 0) return null;
  return {
    id: 'chart-mix',
    label: 'Messages sent by the simulator, per message type',
    heightPx: Math.max(200, 60 + keys.length * 24),
    config: {
      type: 'bar',
      data: {
        labels: keys,
        datasets: [
          {
            label: 'messages sent',
            data: keys.map((k) => mix[k] ?? null),
            backgroundColor: seriesColor(0),
            borderColor: seriesColor(0),
          },
        ],
      },
      options: {
        ...FIXED,
        indexAxis: 'y',
        scales: { x: { beginAtZero: true, title: axisTitle('messages') } },
      },
    },
  };
}

// Palette slots not taken by "achieved" (0) and "lost" (2, red), so the p99 lines never share them.
const LOAD_LATENCY_COLORS = [1, 4, 6, 3, 5, 7, 8, 9] as const;

function loadCurve(load: readonly LoadStep[] | null): ChartSpec | null {
  if (load === null || load.length === 0) return null;
  const steps = [...load].sort((a, b) => a.offeredRate - b.offeredRate);
  const paths = [...new Set(steps.flatMap((s) => s.latency.map((l) => l.name)))];
  const line = (label: string, color: string, yAxisID: string, data: XY[]) => ({
    label,
    data,
    yAxisID,
    borderColor: color,
    backgroundColor: color,
    borderWidth: 2,
    pointRadius: 3,
    spanGaps: false,
  });
  return {
    id: 'chart-load',
    label: 'Load test: achieved rate, lost messages and p99 latency against offered rate',
    heightPx: 360,
    config: {
      type: 'line',
      data: {
        datasets: [
          line(
            'achieved rate (msgs/s)',
            seriesColor(0),
            'y',
            steps.map((s) => ({ x: s.offeredRate, y: s.achievedRate })),
          ),
          line(
            'lost (messages)',
            seriesColor(2),
            'yLost',
            steps.map((s) => ({ x: s.offeredRate, y: s.lost })),
          ),
          ...paths.map((path, i) =>
            line(
              `p99 ${path} (ms)`,
              seriesColor(LOAD_LATENCY_COLORS[i % LOAD_LATENCY_COLORS.length] ?? 1),
              'yMs',
              steps.map((s) => ({
                x: s.offeredRate,
                y: s.latency.find((l) => l.name === path)?.p99Ms ?? null,
              })),
            ),
          ),
        ],
      },
      options: {
        ...FIXED,
        scales: {
          x: { type: 'linear', title: axisTitle('offered rate (msgs/s)') },
          y: { beginAtZero: true, position: 'left', title: axisTitle('achieved rate (msgs/s)') },
          yLost: {
            beginAtZero: true,
            position: 'right',
            title: axisTitle('lost (messages)'),
            grid: { drawOnChartArea: false },
          },
          yMs: {
            beginAtZero: true,
            position: 'right',
            title: axisTitle('p99 latency (ms)'),
            grid: { drawOnChartArea: false },
          },
        },
      },
    },
  };
}

export function buildCharts(results: RunResults, samples: readonly MetricsSample[]): ChartSet {
  return {
    'chart-throughput': timeline(
      'chart-throughput',
      'Throughput over time per stage, in messages per second',
      samples,
      'rates',
      'messages/s',
    ),
    'chart-latency-pct': latencyPercentiles(results.latency),
    'chart-latency-hist': latencyHistogram(results.latency),
    'chart-lag': timeline(
      'chart-lag',
      'Lag per sink over time: journal seq minus checkpoint seq',
      samples,
      'lag',
      'journal seq − checkpoint seq',
    ),
    'chart-mix': messageMix(results.messageMix),
    'chart-load': loadCurve(results.load),
  };
}
