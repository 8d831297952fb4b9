import type { Check, CheckGroup, RunResults } from '../harness/results/types.js';
import { anchorsOf, checkAnchors } from './anchors.js';
import { bookDiffRows, differingLevels, sideText } from './book-diff.js';
import { escapeXml as x } from './escape.js';

/**
 * `junit.xml`: one <testcase> per check, one <testsuite> per check group, so CI systems list the
 * checks natively. A failed check's <failure> carries its threshold and measured value in the
 * message and the first differences and the book diff in its body. The checks record no
 * duration of their own, so only the whole run's duration is given (on <testsuites>).
 */
export interface JunitOptions {
  /** The HTML report as seen from the JUnit file (default: `index.html` beside it). */
  readonly reportHref?: string;
}

function failureBody(check: Check, evidenceHref: string): string {
  const e = check.evidence;
  const lines = [`threshold: ${check.threshold}`, `measured: ${check.measured}`];
  if (e.counts !== undefined) {
    for (const [k, v] of Object.entries(e.counts)) lines.push(`count ${k}: ${v}`);
  }
  if (e.differences !== undefined && e.differences.length > 0) {
    lines.push(`first ${e.differences.length} difference(s):`);
    for (const d of e.differences) {
      lines.push(
        `  ${d.where}`,
        `    expected: ${d.expected ?? '(absent)'}`,
        `    actual:   ${d.actual ?? '(absent)'}`,
      );
    }
  }
  if (e.bookDiff !== undefined) {
    const rows = bookDiffRows(e.bookDiff);
    lines.push(
      `books at the first mismatch: ${e.bookDiff.symbol} seq ${e.bookDiff.seq}, ${differingLevels(rows)} of ${rows.length} levels differ`,
      `  journal line: ${e.bookDiff.line}`,
      '  level | expected bid | actual bid | expected ask | actual ask',
    );
    for (const r of rows) {
      const mark = r.bidDiffers || r.askDiffers ? ' <-- differs' : '';
      lines.push(
        `  ${r.level} | ${sideText(r.expectedBid)} | ${sideText(r.actualBid)} | ${sideText(r.expectedAsk)} | ${sideText(r.actualAsk)}${mark}`,
      );
    }
  }
  if (e.files !== undefined && e.files.length > 0) lines.push(`files: ${e.files.join(', ')}`);
  lines.push(`evidence: ${evidenceHref}`);
  return lines.join('\n');
}

function testcase(check: Check, evidenceHref: string): string {
  const open = `    <testcase classname="l2h.${x(check.group)}" name="${x(check.id)}">`;
  const out = `      <system-out>${x(`${check.title}\nthreshold: ${check.threshold}\nmeasured: ${check.measured}\nevidence: ${evidenceHref}`)}</system-out>`;
  if (check.pass) return [open, out, '    </testcase>'].join('\n');
  const message = `${check.title}: threshold ${check.threshold}; measured ${check.measured}`;
  return [
    open,
    `      <failure message="${x(message)}" type="threshold">${x(failureBody(check, evidenceHref))}</failure>`,
    out,
    '    </testcase>',
  ].join('\n');
}

function properties(results: RunResults): string {
  const run = results.run;
  const props: [string, string][] = [
    ['run.id', run.id],
    ['run.command', run.command],
    ['run.startedAt', run.startedAt],
    ['verdict', results.verdict],
  ];
  if (run.tape !== null) props.push(['tape.path', run.tape.path], ['tape.sha256', run.tape.sha256]);
  if (run.seed !== null) props.push(['seed', String(run.seed)]);
  for (const [k, v] of Object.entries(run.services)) props.push([`service.${k}`, v]);
  return [
    '    <properties>',
    ...props.map(([k, v]) => `      <property name="${x(k)}" value="${x(v)}"/>`),
    '    </properties>',
  ].join('\n');
}

/** The run's verdict as a failing testcase, for a failed run that has no failed check to show. */
function verdictSuite(results: RunResults, reportHref: string): string {
  const why =
    results.checks.length === 0
      ? 'no check ran'
      : `all ${results.checks.length} checks passed but the run's verdict is fail`;
  const message = `verdict FAIL: ${why}`;
  const body = `${message}\nverdict: ${results.verdict}\ncommand: ${results.run.command}\nreport: ${reportHref}`;
  return [
    '  <testsuite name="run" tests="1" failures="1" errors="0" skipped="0">',
    properties(results),
    '    <testcase classname="l2h.run" name="verdict">',
    `      <failure message="${x(message)}" type="verdict">${x(body)}</failure>`,
    '    </testcase>',
    '  </testsuite>',
  ].join('\n');
}

export function renderJunit(results: RunResults, options: JunitOptions = {}): string {
  const reportHref = options.reportHref ?? 'index.html';
  const anchors = checkAnchors(results.checks);
  const groups: CheckGroup[] = [];
  for (const c of results.checks) if (!groups.includes(c.group)) groups.push(c.group);
  const failures = results.checks.filter((c) => !c.pass).length;
  const seconds = (results.run.durationMs / 1000).toFixed(3);
  // A failed run whose checks all passed (or that ran none) would otherwise read green in CI.
  const verdictFails = results.verdict === 'fail' && failures === 0;
  const suites = groups.map((group) => {
    const checks = results.checks.filter((c) => c.group === group);
    const failed = checks.filter((c) => !c.pass).length;
    return [
      `  <testsuite name="${x(group)}" tests="${checks.length}" failures="${failed}" errors="0" skipped="0">`,
      properties(results),
      ...checks.map((c) => testcase(c, `${reportHref}#${anchorsOf(anchors, c).evidence}`)),
      '  </testsuite>',
    ].join('\n');
  });
  if (verdictFails) suites.push(verdictSuite(results, reportHref));
  const extra = verdictFails ? 1 : 0;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${x(`l2-harness run ${results.run.id}`)}" tests="${results.checks.length + extra}" failures="${failures + extra}" errors="0" time="${seconds}">`,
    ...suites,
    '</testsuites>',
    '',
  ].join('\n');
}
