import { createHash } from 'node:crypto';
import type { Check, MetricsSample, RunResults } from '../harness/results/types.js';
import { anchorsOf, type CheckAnchors, checkAnchors } from './anchors.js';
import { chartJsSource } from './chartjs-source.js';
import { buildCharts, CHART_IDS, type ChartSpec } from './charts.js';
import { jsonForScript } from './escape.js';
import { formatDuration } from './format.js';
import { BOOTSTRAP_JS } from './html/bootstrap.js';
import { evidenceSection } from './html/evidence.js';
import {
  identitySection,
  inputNotesSection,
  lagSection,
  latencySection,
  loadSection,
  mixSection,
  throughputSection,
} from './html/sections.js';
import { REPORT_CSS } from './html/styles.js';
import { html, type SafeHtml, trusted } from './html/template.js';

/**
 * `index.html`: one self-contained page (styles, Chart.js, data and script inline) that opens
 * from disk. A Content-Security-Policy allows only the page's own scripts, by hash, and no
 * network at all: even a string that slipped past escaping could neither run nor fetch.
 */
export interface HtmlOptions {
  /** The run directory as seen from the report directory (default `..`). */
  readonly runDirHref?: string;
  readonly missingFiles?: ReadonlySet<string>;
  readonly ignoredFields?: readonly string[];
  /** Chart.js source to inline; read from node_modules when absent. */
  readonly chartJs?: string;
}

function scriptHash(source: string): string {
  return `'sha256-${createHash('sha256').update(source, 'utf8').digest('base64')}'`;
}

function verdictBlock(results: RunResults, anchors: ReadonlyMap<string, CheckAnchors>): SafeHtml {
  const total = results.checks.length;
  const failed = results.checks.filter((c) => !c.pass);
  if (results.verdict === 'pass') {
    return html`<section id="verdict" class="verdict pass" data-verdict="pass"><strong>PASS</strong> ${total} of ${total} checks passed.</section>`;
  }
  if (total === 0) {
    return html`<section id="verdict" class="verdict fail" data-verdict="fail"><strong>FAIL</strong> no check ran.</section>`;
  }
  const links = failed.map(
    (c, i) => html`${i > 0 ? ', ' : ''}<a href="#${anchorsOf(anchors, c).evidence}">${c.id}</a>`,
  );
  return html`<section id="verdict" class="verdict fail" data-verdict="fail"><strong>FAIL</strong> ${failed.length} of ${total} checks failed: ${links}.</section>`;
}

function checkRow(check: Check, anchors: CheckAnchors): SafeHtml {
  const result = check.pass ? 'pass' : 'fail';
  return html`<tr id="${anchors.row}" class="${result}" data-check-id="${check.id}"><td class="result">${result.toUpperCase()}</td><td>${check.title}<br><code>${check.id}</code></td><td>${check.group}</td><td class="threshold">${check.threshold}</td><td class="measured">${check.measured}</td><td><a class="evidence-link" href="#${anchors.evidence}">evidence</a></td></tr>
`;
}

function checksSection(results: RunResults, anchors: ReadonlyMap<string, CheckAnchors>): SafeHtml {
  if (results.checks.length === 0) {
    return html`<section id="checks"><h2>Checks</h2><p class="not-measured">No check ran: not measured in this run</p></section>`;
  }
  return html`<section id="checks"><h2>Checks</h2>
<table class="checks"><thead><tr><th>result</th><th>check</th><th>group</th><th>threshold</th><th>measured</th><th>evidence</th></tr></thead><tbody>
${results.checks.map((c) => checkRow(c, anchorsOf(anchors, c)))}</tbody></table>
</section>`;
}

export function renderHtml(
  results: RunResults,
  samples: readonly MetricsSample[] = [],
  options: HtmlOptions = {},
): string {
  const anchors = checkAnchors(results.checks);
  const charts = buildCharts(results, samples);
  const drawn = CHART_IDS.map((id) => charts[id]).filter((c): c is ChartSpec => c !== null);
  const links = {
    runDirHref: options.runDirHref ?? '..',
    missingFiles: options.missingFiles ?? new Set<string>(),
  };
  const chartJs = options.chartJs ?? chartJsSource();
  const csp = [
    "default-src 'none'",
    `script-src ${scriptHash(chartJs)} ${scriptHash(BOOTSTRAP_JS)}`,
    "style-src 'unsafe-inline'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
  const run = results.run;
  const verdictWord = results.verdict === 'pass' ? 'PASS' : 'FAIL';
  const page = html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<title>${verdictWord}: l2-harness readiness report, run ${run.id}</title>
<style>${trusted(REPORT_CSS)}</style>
</head>
<body>
<header>
<h1>Readiness report</h1>
<p class="subtitle">run <code>${run.id}</code> · <code>${run.command}</code> · started ${run.startedAt} · ran ${formatDuration(run.durationMs)}</p>
${verdictBlock(results, anchors)}
<nav><a href="#checks">checks</a><a href="#evidence">evidence</a><a href="#throughput">throughput</a><a href="#latency">latency</a><a href="#lag">lag</a><a href="#mix">message mix</a><a href="#load">load</a><a href="#identity">identity</a></nav>
</header>
<main>
${checksSection(results, anchors)}
<section id="evidence"><h2>Evidence per check</h2>
${results.checks.length === 0 ? html`<p class="not-measured">not measured in this run</p>` : results.checks.map((c) => evidenceSection(c, anchorsOf(anchors, c), links))}
</section>
${throughputSection(charts, samples)}
${latencySection(results, charts)}
${lagSection(charts)}
${mixSection(results, charts)}
${loadSection(results, charts)}
${identitySection(results)}
${inputNotesSection(options.ignoredFields ?? [], links.missingFiles)}
</main>
<script type="application/json" id="report-data">${trusted(jsonForScript({ charts: drawn }))}</script>
<script>${trusted(chartJs)}</script>
<script>${trusted(BOOTSTRAP_JS)}</script>
</body>
</html>
`;
  return page.markup;
}
