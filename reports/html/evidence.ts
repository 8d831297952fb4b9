import type { BookDiff, BookSideView, Check } from '../../harness/results/types.js';
import type { CheckAnchors } from '../anchors.js';
import { bookDiffRows, differingLevels } from '../book-diff.js';
import { showControls } from '../escape.js';
import { formatNumber } from '../format.js';
import { html, type SafeHtml } from './template.js';

/**
 * One evidence section per check: what the check measured its value from. Everything here is
 * copied from the check's `evidence`; an empty evidence says so rather than leaving a blank.
 */
export interface FileLinks {
  /** The run directory as seen from the report directory. */
  readonly runDirHref: string;
  /** Files that a check names but that are not in the run directory. */
  readonly missingFiles: ReadonlySet<string>;
}

export function fileHref(runDirHref: string, path: string): string {
  return `${runDirHref}/${path.split('/').map(encodeURIComponent).join('/')}`;
}

function countsTable(counts: Readonly<Record<string, number>>): SafeHtml {
  return html`<h4>Counts</h4>
<table class="kv counts"><thead><tr><th>count</th><th class="num">value</th></tr></thead><tbody>
${Object.entries(counts).map(([k, v]) => html`<tr><td>${k}</td><td class="num">${formatNumber(v)}</td></tr>\n`)}</tbody></table>`;
}

function digestsTable(digests: Readonly<Record<string, string>>): SafeHtml {
  return html`<h4>Digests</h4>
<table class="digests"><thead><tr><th>of</th><th>digest</th></tr></thead><tbody>
${Object.entries(digests).map(([k, v]) => html`<tr><td>${k}</td><td><code>${v}</code></td></tr>\n`)}</tbody></table>`;
}

function differencesTable(check: Check): SafeHtml {
  const diffs = check.evidence.differences ?? [];
  const cell = (v: string | null) =>
    v === null ? html`<td class="absent">(absent)</td>` : html`<td><code>${showControls(v)}</code></td>`;
  return html`<h4>First ${diffs.length} difference(s)</h4>
<table class="differences"><thead><tr><th class="num">#</th><th>where</th><th>expected</th><th>actual</th></tr></thead><tbody>
${diffs.map((d, i) => html`<tr><td class="num">${i + 1}</td><td>${d.where}</td>${cell(d.expected)}${cell(d.actual)}</tr>\n`)}</tbody></table>`;
}

function sideCells(
  mine: BookSideView | null,
  other: BookSideView | null,
  order: 'size-price' | 'price-size',
): SafeHtml {
  if (mine === null) {
    const cls = other === null ? 'absent' : 'absent differs';
    return html`<td class="${cls}">—</td><td class="${cls}">—</td>`;
  }
  const sizeCls = other === null || other.size !== mine.size ? 'num differs' : 'num';
  const priceCls = other === null || other.price !== mine.price ? 'num differs' : 'num';
  const size = html`<td class="${sizeCls}">${formatNumber(mine.size)}</td>`;
  const price = html`<td class="${priceCls}">${String(mine.price)}</td>`;
  return order === 'size-price' ? html`${size}${price}` : html`${price}${size}`;
}

function bookDiffTable(diff: BookDiff): SafeHtml {
  const rows = bookDiffRows(diff);
  const head = html`<th>bid size</th><th>bid</th><th>ask</th><th>ask size</th>`;
  return html`<div class="book-diff" data-symbol="${diff.symbol}" data-seq="${diff.seq}">
<h4>Books side by side at the first mismatch</h4>
<p><strong>${diff.symbol}</strong> at seq <strong>${diff.seq}</strong>: ${differingLevels(rows)} of ${rows.length} levels differ. Journal line at that seq: <code>${showControls(diff.line)}</code></p>
<table><thead><tr><th rowspan="2">level</th><th colspan="4" class="side">expected (reference book)</th><th colspan="4" class="side">actual (collector record)</th></tr>
<tr>${head}${head}</tr></thead><tbody>
${rows.map(
  (r) =>
    html`<tr data-level="${r.level}"${r.bidDiffers || r.askDiffers ? html` class="differs"` : ''}><td class="num">${r.level}</td>${sideCells(r.expectedBid, r.actualBid, 'size-price')}${sideCells(r.expectedAsk, r.actualAsk, 'price-size')}${sideCells(r.actualBid, r.expectedBid, 'size-price')}${sideCells(r.actualAsk, r.expectedAsk, 'price-size')}</tr>\n`,
)}</tbody></table></div>`;
}

function filesList(files: readonly string[], links: FileLinks): SafeHtml {
  return html`<h4>Files in the run directory</h4><ul class="files">
${files.map((f) =>
  links.missingFiles.has(f)
    ? html`<li><code>${f}</code> <span class="missing-file">(not found in the run directory)</span></li>\n`
    : html`<li><a href="${fileHref(links.runDirHref, f)}"><code>${f}</code></a></li>\n`,
)}</ul>`;
}

export function evidenceSection(check: Check, anchors: CheckAnchors, links: FileLinks): SafeHtml {
  const e = check.evidence;
  const parts: SafeHtml[] = [];
  if (e.bookDiff !== undefined) parts.push(bookDiffTable(e.bookDiff));
  if (e.differences !== undefined && e.differences.length > 0) parts.push(differencesTable(check));
  if (e.counts !== undefined && Object.keys(e.counts).length > 0) parts.push(countsTable(e.counts));
  if (e.digests !== undefined && Object.keys(e.digests).length > 0) parts.push(digestsTable(e.digests));
  if (e.files !== undefined && e.files.length > 0) parts.push(filesList(e.files, links));
  if (e.details !== undefined && Object.keys(e.details).length > 0) {
    parts.push(html`<h4>Details</h4><pre class="details">${JSON.stringify(e.details, null, 2)}</pre>`);
  }
  const result = check.pass ? 'pass' : 'fail';
  return html`<article id="${anchors.evidence}" class="evidence ${result}" data-check-id="${check.id}">
<h3><span class="result">${result.toUpperCase()}</span> ${check.title} <code>${check.id}</code></h3>
<table class="kv"><tbody><tr><th>group</th><td>${check.group}</td></tr><tr><th>threshold</th><td>${check.threshold}</td></tr><tr><th>measured</th><td>${check.measured}</td></tr></tbody></table>
${parts.length > 0 ? parts : html`<p class="not-measured">This check recorded no evidence beyond its measured value.</p>`}
<p class="back"><a href="#${anchors.row}">back to the checks table</a></p>
</article>
`;
}
