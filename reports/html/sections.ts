import type { LoadStep, MetricsSample, RunResults } from '../../harness/results/types.js';
import type { ChartSet, ChartSpec } from '../charts.js';
import { flatten, formatDuration, formatMs, formatNumber, formatValue } from '../format.js';
import { html, type SafeHtml } from './template.js';

/** The measurement and identity sections of the HTML report. */
export const NOT_MEASURED = 'not measured in this run';

export function notMeasured(what?: string): SafeHtml {
  return html`<p class="not-measured">${what === undefined ? '' : `${what}: `}${NOT_MEASURED}</p>`;
}

export function chartBox(spec: ChartSpec | null, what: string): SafeHtml {
  if (spec === null) return notMeasured(what);
  return html`<div class="chart" style="height: ${spec.heightPx}px"><canvas id="${spec.id}" role="img" aria-label="${spec.label}"></canvas></div>`;
}

function kvTable(cls: string, rows: readonly [string, unknown][], empty: string): SafeHtml {
  if (rows.length === 0) return notMeasured(empty);
  return html`<table class="kv ${cls}"><tbody>
${rows.map(([k, v]) => html`<tr><th>${k}</th><td>${formatValue(v)}</td></tr>\n`)}</tbody></table>`;
}

export function throughputSection(charts: ChartSet, samples: readonly MetricsSample[]): SafeHtml {
  return html`<section id="throughput"><h2>Throughput over time per stage</h2>
${samples.length > 0 ? html`<p>${formatNumber(samples.length)} samples of the metrics timeline.</p>` : ''}
${chartBox(charts['chart-throughput'], 'Throughput per stage')}
</section>`;
}

export function latencySection(results: RunResults, charts: ChartSet): SafeHtml {
  if (results.latency.length === 0) {
    return html`<section id="latency"><h2>Latency</h2>${notMeasured('Latency')}</section>`;
  }
  return html`<section id="latency"><h2>Latency</h2>
<table class="latency"><thead><tr><th>path</th><th class="num">count</th><th class="num">p50</th><th class="num">p99</th><th class="num">p99.9</th><th class="num">max</th></tr></thead><tbody>
${results.latency.map(
  (l) =>
    html`<tr><td>${l.name}</td><td class="num">${formatNumber(l.count)}</td><td class="num">${formatMs(l.p50Ms)}</td><td class="num">${formatMs(l.p99Ms)}</td><td class="num">${formatMs(l.p999Ms)}</td><td class="num">${formatMs(l.maxMs)}</td></tr>\n`,
)}</tbody></table>
<h3>Percentiles</h3>
${chartBox(charts['chart-latency-pct'], 'Latency percentiles')}
<h3>Histogram</h3>
${chartBox(charts['chart-latency-hist'], 'Latency histogram')}
</section>`;
}

export function lagSection(charts: ChartSet): SafeHtml {
  return html`<section id="lag"><h2>Lag per sink over time</h2>
${chartBox(charts['chart-lag'], 'Lag per sink')}
</section>`;
}

export function mixSection(results: RunResults, charts: ChartSet): SafeHtml {
  const keys = Object.keys(results.messageMix).sort();
  const total = keys.reduce((n, k) => n + (results.messageMix[k] ?? 0), 0);
  return html`<section id="mix"><h2>Message mix</h2>
${keys.length > 0 ? html`<p>${formatNumber(total)} messages sent by the simulator, ${keys.length} message types.</p>` : ''}
${chartBox(charts['chart-mix'], 'Message mix')}
</section>`;
}

function loadTable(load: readonly LoadStep[]): SafeHtml {
  return html`<table class="load"><thead><tr><th class="num">offered (msgs/s)</th><th class="num">achieved (msgs/s)</th><th class="num">lost</th><th class="num">duplicated</th><th>p99 per path</th><th>result</th><th>reason</th></tr></thead><tbody>
${load.map(
  (s) =>
    html`<tr class="${s.pass ? 'pass' : 'fail'}"><td class="num">${formatNumber(s.offeredRate)}</td><td class="num">${formatNumber(s.achievedRate)}</td><td class="num">${formatNumber(s.lost)}</td><td class="num">${formatNumber(s.duplicated)}</td><td>${s.latency.length === 0 ? NOT_MEASURED : s.latency.map((l) => `${l.name} ${formatMs(l.p99Ms)}`).join('; ')}</td><td class="result">${s.pass ? 'PASS' : 'FAIL'}</td><td>${s.reason ?? ''}</td></tr>\n`,
)}</tbody></table>`;
}

export function loadSection(results: RunResults, charts: ChartSet): SafeHtml {
  const load = results.load;
  return html`<section id="load"><h2>Load steps</h2>
${load === null || load.length === 0 ? notMeasured('Load steps') : html`${chartBox(charts['chart-load'], 'Load curve')}${loadTable(load)}`}
</section>`;
}

export function identitySection(results: RunResults): SafeHtml {
  const run = results.run;
  const tape = run.tape;
  const rows: [string, unknown][] = [
    ['run id', run.id],
    ['command', run.command],
    ['started (UTC)', run.startedAt],
    ['duration', formatDuration(run.durationMs)],
    ['scenario', run.scenario ?? NOT_MEASURED],
    ['seed', run.seed === null ? NOT_MEASURED : String(run.seed)],
  ];
  const tapeRows: [string, unknown][] =
    tape === null
      ? []
      : [
          ['path', tape.path],
          ['SHA-256', tape.sha256],
          ['lines', tape.lines],
        ];
  return html`<section id="identity"><h2>Identity of the run</h2>
${kvTable('run', rows, 'Run')}
<h3>Tape</h3>
${kvTable('tape', tapeRows, 'Tape')}
${tape === null ? '' : html`<h4>Source headers</h4>${kvTable('tape-headers', Object.entries(tape.headers), 'Tape headers')}`}
<h3>Configuration</h3>
${kvTable('config', flatten(run.config), 'Configuration')}
<h3>Services and backends</h3>
${kvTable('services', Object.entries(run.services), 'Services')}
<h3>Versions</h3>
${kvTable('versions', Object.entries(run.versions), 'Versions')}
<h3>Machine</h3>
${kvTable('machine', Object.entries(run.machine), 'Machine')}
</section>`;
}

export function inputNotesSection(
  ignoredFields: readonly string[],
  missingFiles: ReadonlySet<string>,
): SafeHtml {
  if (ignoredFields.length === 0 && missingFiles.size === 0) return html``;
  return html`<section id="input-notes"><h2>Notes on the inputs</h2>
${ignoredFields.length > 0 ? html`<p>Fields present in the inputs that this report does not read (not shown above):</p><ul>${ignoredFields.map((f) => html`<li><code>${f}</code></li>`)}</ul>` : ''}
${missingFiles.size > 0 ? html`<p>Evidence files named by checks but not found in the run directory:</p><ul>${[...missingFiles].sort().map((f) => html`<li><code>${f}</code></li>`)}</ul>` : ''}
</section>`;
}
