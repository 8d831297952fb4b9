import { showControls as shown } from '../reports/escape.js';
import type { RunResults } from './results/types.js';

/**
 * The few lines a person reads on the terminal after a run: the verdict, every check with what it
 * measured, the first differences of what failed, and where the evidence is. Text from the run
 * (journal lines, tape paths) goes through `shown`: a raw ESC sequence from a feed would drive
 * the terminal (clear the screen, print a fake PASS) instead of being read.
 */
export function formatSummary(results: RunResults, dir: string, reportFiles: readonly string[]): string {
  const out: string[] = [];
  const failed = results.checks.filter((c) => !c.pass);
  out.push('');
  out.push(
    `${results.verdict === 'pass' ? 'PASS' : 'FAIL'}  ${results.checks.length - failed.length} of ${results.checks.length} checks passed  (${(results.run.durationMs / 1000).toFixed(1)} s)`,
  );
  if (results.run.tape)
    out.push(
      `tape   ${shown(results.run.tape.path)}  (${results.run.tape.lines} lines, sha256 ${shown(results.run.tape.sha256.slice(0, 12))}…)`,
    );
  out.push('');
  for (const c of results.checks) {
    out.push(`  ${c.pass ? 'ok  ' : 'FAIL'}  ${shown(c.id).padEnd(36)} ${shown(c.measured)}`);
  }
  for (const c of failed) {
    const diffs = c.evidence.differences ?? [];
    if (diffs.length === 0 && !c.evidence.bookDiff) continue;
    out.push('');
    out.push(`  ${shown(c.id)}: ${shown(c.threshold)}`);
    for (const d of diffs.slice(0, 5)) {
      out.push(
        `    at ${shown(d.where)}: expected ${shown(d.expected ?? '(nothing)')}, got ${shown(d.actual ?? '(nothing)')}`,
      );
    }
    const b = c.evidence.bookDiff;
    if (b) {
      out.push(`    book of ${shown(b.symbol)} at seq ${b.seq} after \`${shown(b.line)}\``);
      out.push(
        `      expected bids ${JSON.stringify(b.expected.bids.slice(0, 3))} asks ${JSON.stringify(b.expected.asks.slice(0, 3))}`,
      );
      out.push(
        `      actual   bids ${JSON.stringify(b.actual.bids.slice(0, 3))} asks ${JSON.stringify(b.actual.asks.slice(0, 3))}`,
      );
    }
  }
  out.push('');
  out.push(`evidence  ${shown(dir)}`);
  for (const f of reportFiles) out.push(`report    ${shown(f)}`);
  return `${out.join('\n')}\n`;
}
