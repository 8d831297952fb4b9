import type { Check, LoadStep, RunResults } from '../harness/results/types.js';
import { anchorsOf, checkAnchors } from './anchors.js';
import { bookDiffRows, differingLevels, sideText } from './book-diff.js';
import { escapeMarkdown as md } from './escape.js';
import { flatten, formatDuration, formatMs, formatNumber, formatValue } from './format.js';

/**
 * `report.md`: the verdict, the checks table, the evidence of every failed check, the latency,
 * load and message-mix tables and the run's identity. Charts live in `index.html`; this file links
 * there. Every value is escaped: results carry text from tapes.
 */
export interface MarkdownOptions {
  /** Samples read from the metrics timeline, when the caller read it. */
  readonly metricsSamples?: number;
  /** The run directory as seen from the report directory (default `..`). */
  readonly runDirHref?: string;
  /** Evidence files named by checks but absent from the run directory. */
  readonly missingFiles?: ReadonlySet<string>;
  /** Fields found in the inputs that the report does not read. */
  readonly ignoredFields?: readonly string[];
}

export const NOT_MEASURED = 'not measured in this run';

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

function fileHref(runDirHref: string, path: string): string {
  return `${runDirHref}/${path.split('/').map(encodeURIComponent).join('/')}`;
}

function verdictLine(results: RunResults): string {
  const total = results.checks.length;
  const failed = results.checks.filter((c) => !c.pass).length;
  if (results.verdict === 'pass') return `**Verdict: PASS**: ${total} of ${total} checks passed.`;
  if (total === 0) return '**Verdict: FAIL**: no check ran.';
  return `**Verdict: FAIL**: ${failed} of ${total} checks failed.`;
}

function checksTable(results: RunResults): string {
  if (results.checks.length === 0) return `No check ran: ${NOT_MEASURED}.`;
  const anchors = checkAnchors(results.checks);
  return table(
    ['Result', 'Check', 'Group', 'Threshold', 'Measured', 'Evidence'],
    results.checks.map((c) => [
      c.pass ? 'PASS' : '**FAIL**',
      `${md(c.id)}: ${md(c.title)}`,
      md(c.group),
      md(c.threshold),
      md(c.measured),
      `[evidence](index.html#${anchorsOf(anchors, c).evidence})`,
    ]),
  );
}

function checkEvidence(check: Check, runDirHref: string, missingFiles: ReadonlySet<string>): string {
  const e = check.evidence;
  const parts: string[] = [
    `### ${md(check.id)}: ${md(check.title)}`,
    `Threshold: ${md(check.threshold)}. Measured: ${md(check.measured)}.`,
  ];
  if (e.counts !== undefined && Object.keys(e.counts).length > 0) {
    parts.push(
      table(
        ['Count', 'Value'],
        Object.entries(e.counts).map(([k, v]) => [md(k), formatNumber(v)]),
      ),
    );
  }
  if (e.differences !== undefined && e.differences.length > 0) {
    parts.push(
      `First ${e.differences.length} difference(s):`,
      table(
        ['Where', 'Expected', 'Actual'],
        e.differences.map((d) => [md(d.where), md(d.expected ?? '(absent)'), md(d.actual ?? '(absent)')]),
      ),
    );
  }
  if (e.bookDiff !== undefined) {
    const rows = bookDiffRows(e.bookDiff);
    parts.push(
      `Books at the first mismatch: ${md(e.bookDiff.symbol)} at seq ${e.bookDiff.seq}, ` +
        `${differingLevels(rows)} of ${rows.length} levels differ. Journal line: ${md(e.bookDiff.line)}`,
      table(
        ['Level', 'Expected bid', 'Actual bid', 'Expected ask', 'Actual ask'],
        rows.map((r) => [
          String(r.level),
          sideText(r.expectedBid),
          r.bidDiffers ? `**${sideText(r.actualBid)}**` : sideText(r.actualBid),
          sideText(r.expectedAsk),
          r.askDiffers ? `**${sideText(r.actualAsk)}**` : sideText(r.actualAsk),
        ]),
      ),
    );
  }
  if (e.digests !== undefined && Object.keys(e.digests).length > 0) {
    parts.push(
      table(
        ['Digest of', 'Value'],
        Object.entries(e.digests).map(([k, v]) => [md(k), md(v)]),
      ),
    );
  }
  if (e.files !== undefined && e.files.length > 0) {
    const fileText = (f: string) =>
      missingFiles.has(f)
        ? `${md(f)} (not found in the run directory)`
        : `[${md(f)}](${fileHref(runDirHref, f)})`;
    parts.push(`Files: ${e.files.map(fileText).join(', ')}`);
  }
  return parts.join('\n\n');
}

function latencySection(results: RunResults): string {
  if (results.latency.length === 0) return NOT_MEASURED;
  return table(
    ['Path', 'Count', 'p50', 'p99', 'p99.9', 'Max'],
    results.latency.map((l) => [
      md(l.name),
      formatNumber(l.count),
      formatMs(l.p50Ms),
      formatMs(l.p99Ms),
      formatMs(l.p999Ms),
      formatMs(l.maxMs),
    ]),
  );
}

function loadSection(load: readonly LoadStep[] | null): string {
  if (load === null || load.length === 0) return NOT_MEASURED;
  return table(
    ['Offered (msgs/s)', 'Achieved (msgs/s)', 'Lost', 'Duplicated', 'p99 per path', 'Result', 'Reason'],
    load.map((s) => [
      formatNumber(s.offeredRate),
      formatNumber(s.achievedRate),
      formatNumber(s.lost),
      formatNumber(s.duplicated),
      s.latency.map((l) => `${md(l.name)} ${formatMs(l.p99Ms)}`).join('; ') || NOT_MEASURED,
      s.pass ? 'PASS' : '**FAIL**',
      md(s.reason ?? ''),
    ]),
  );
}

function mixSection(mix: Readonly<Record<string, number>>): string {
  const keys = Object.keys(mix).sort();
  if (keys.length === 0) return NOT_MEASURED;
  return table(
    ['Message type', 'Messages sent'],
    keys.map((k) => [md(k), formatNumber(mix[k] ?? 0)]),
  );
}

function metricsSection(results: RunResults, samples: number | undefined): string {
  // Without a count from the caller, a named metrics file is all we know of the timeline.
  const recorded = samples === undefined ? results.metricsFile !== null : samples > 0;
  if (!recorded) return NOT_MEASURED;
  const file = results.metricsFile === null ? 'metrics.jsonl' : md(results.metricsFile);
  const count = samples === undefined ? '' : `${formatNumber(samples)} samples in `;
  return `${count}${file}; throughput and per-sink lag over time are charted in [index.html](index.html#throughput).`;
}

function keyValueTable(title: string, rows: readonly [string, unknown][]): string {
  if (rows.length === 0) return `${title}: ${NOT_MEASURED}.`;
  return table(
    [title, 'Value'],
    rows.map(([k, v]) => [md(k), md(formatValue(v))]),
  );
}

function identitySection(results: RunResults): string {
  const run = results.run;
  const tape = run.tape;
  const rows: [string, string][] = [
    ['Run id', run.id],
    ['Command', run.command],
    ['Started (UTC)', run.startedAt],
    ['Duration', formatDuration(run.durationMs)],
    ['Tape', tape === null ? NOT_MEASURED : tape.path],
    ['Tape SHA-256', tape === null ? NOT_MEASURED : tape.sha256],
    ['Tape lines', tape === null ? NOT_MEASURED : formatNumber(tape.lines)],
    ['Scenario', run.scenario ?? NOT_MEASURED],
    ['Seed', run.seed === null ? NOT_MEASURED : String(run.seed)],
  ];
  return [
    table(
      ['Field', 'Value'],
      rows.map(([k, v]) => [k, md(v)]),
    ),
    keyValueTable('Tape header', tape === null ? [] : Object.entries(tape.headers)),
    keyValueTable('Configuration', flatten(run.config)),
    keyValueTable('Version', Object.entries(run.versions)),
    keyValueTable('Machine', Object.entries(run.machine)),
    keyValueTable('Service', Object.entries(run.services)),
  ].join('\n\n');
}

/** What the HTML report says in its "Notes on the inputs"; nothing when there is nothing to say. */
function inputNotes(ignoredFields: readonly string[], missingFiles: ReadonlySet<string>): string[] {
  if (ignoredFields.length === 0 && missingFiles.size === 0) return [];
  const list = (items: readonly string[]) => items.map((i) => `- ${md(i)}`).join('\n');
  const notes = ['## Notes on the inputs'];
  if (ignoredFields.length > 0) {
    notes.push(
      'Fields present in the inputs that this report does not read (not shown above):',
      list(ignoredFields),
    );
  }
  if (missingFiles.size > 0) {
    notes.push(
      'Evidence files named by checks but not found in the run directory:',
      list([...missingFiles].sort()),
    );
  }
  return notes;
}

export function renderMarkdown(results: RunResults, options: MarkdownOptions = {}): string {
  const runDirHref = options.runDirHref ?? '..';
  const missingFiles = options.missingFiles ?? new Set<string>();
  const failed = results.checks.filter((c) => !c.pass);
  const sections = [
    `# Readiness report: run ${md(results.run.id)}`,
    verdictLine(results),
    `Command: ${md(results.run.command)}. Started ${md(results.run.startedAt)}, ran ${formatDuration(results.run.durationMs)}. Full report with charts: [index.html](index.html).`,
    '## Checks',
    checksTable(results),
    ...(failed.length > 0
      ? ['## Evidence of the failed checks', ...failed.map((c) => checkEvidence(c, runDirHref, missingFiles))]
      : []),
    '## Latency',
    latencySection(results),
    '## Load steps',
    loadSection(results.load),
    '## Message mix',
    mixSection(results.messageMix),
    '## Metrics timeline',
    metricsSection(results, options.metricsSamples),
    '## Identity',
    identitySection(results),
    ...inputNotes(options.ignoredFields ?? [], missingFiles),
  ];
  return `${sections.join('\n\n')}\n`;
}
