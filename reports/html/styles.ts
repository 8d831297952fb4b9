/** The report's stylesheet: readable on screen, and on paper (print hides navigation, keeps colour marks). */
export const REPORT_CSS = `
:root { --pass: #1a7f37; --fail: #cf222e; --muted: #57606a; --border: #d0d7de; --soft: #f6f8fa; --diff: #ffd7d5; --link: #0969da; }
* { box-sizing: border-box; }
body { margin: 0; color: #1f2328; background: #fff; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
header, main { max-width: 1200px; margin: 0 auto; padding: 0 24px; }
main { padding-bottom: 48px; }
a { color: var(--link); }
h1 { font-size: 24px; margin: 24px 0 4px; }
h2 { font-size: 19px; margin: 32px 0 8px; padding-bottom: 4px; border-bottom: 1px solid var(--border); }
h3 { font-size: 15px; margin: 0 0 8px; }
h4 { font-size: 13px; margin: 12px 0 4px; }
code, pre, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace; font-size: 12.5px; }
code { overflow-wrap: anywhere; }
pre { background: var(--soft); padding: 8px; overflow-x: auto; white-space: pre-wrap; overflow-wrap: anywhere; }
.subtitle { color: var(--muted); margin: 0; }
.verdict { margin: 16px 0; padding: 14px 18px; border: 2px solid; border-radius: 6px; font-size: 17px; }
.verdict.pass { border-color: var(--pass); background: #dafbe1; }
.verdict.fail { border-color: var(--fail); background: #ffebe9; }
.verdict strong { font-size: 24px; margin-right: 10px; letter-spacing: 0.04em; }
.verdict.pass strong { color: var(--pass); }
.verdict.fail strong { color: var(--fail); }
nav { display: flex; flex-wrap: wrap; gap: 4px 14px; padding: 6px 0; border-bottom: 1px solid var(--border); }
table { border-collapse: collapse; width: 100%; margin: 8px 0 16px; }
table.kv { width: auto; min-width: 50%; }
th, td { border: 1px solid var(--border); padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: var(--soft); font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.result { font-weight: 700; white-space: nowrap; }
.pass .result, .result.pass { color: var(--pass); }
.fail .result, .result.fail { color: var(--fail); }
table.checks tr.fail { background: #fff5f5; }
.evidence { margin: 12px 0; padding: 12px 16px; border: 1px solid var(--border); border-left: 5px solid var(--pass); border-radius: 4px; scroll-margin-top: 12px; }
.evidence.fail { border-left-color: var(--fail); }
.evidence:target { outline: 3px solid var(--link); outline-offset: 2px; }
.book-diff td.differs { background: var(--diff); font-weight: 700; }
.book-diff td.absent { color: var(--muted); }
.book-diff th.side { text-align: center; }
.not-measured { color: var(--muted); font-style: italic; }
.missing-file { color: var(--fail); }
.chart { position: relative; width: 100%; margin: 8px 0 16px; }
.chart-error { color: var(--fail); }
.back { font-size: 12px; }
@media print {
  nav, .back { display: none; }
  body { font-size: 10pt; }
  header, main { max-width: none; padding: 0; }
  a { color: inherit; text-decoration: none; }
  .evidence, .chart, figure, tr { break-inside: avoid; }
  h2, h3 { break-after: avoid; }
  .evidence:target { outline: none; }
  .verdict, tr.fail, td.differs, .chart canvas { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
`;
