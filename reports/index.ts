/** Readiness reports of a run directory: HTML, Markdown, JSON and JUnit XML from `results.json`. */
export { buildCharts, CHART_IDS, type ChartId, type ChartSet, type ChartSpec } from './charts.js';
export { type HtmlOptions, renderHtml } from './render-html.js';
export { type ReportDocument, renderJson, stableStringify } from './render-json.js';
export { type JunitOptions, renderJunit } from './render-junit.js';
export { type MarkdownOptions, renderMarkdown } from './render-markdown.js';
export { type ReportSummary, summarize } from './summary.js';
export { parseMetricsSamples, type ValidatedMetrics } from './validate-metrics.js';
export { parseRunResults, type ValidatedResults } from './validate-results.js';
export { REPORT_FILES, type WriteReportOptions, writeReport } from './write-report.js';
