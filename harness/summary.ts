import type { RunResults } from './results/types.js';

/**
 * The few lines a person reads on the terminal after a run: the verdict, every check with what it
 * measured, the first differences of what failed, and where the evidence is.
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
      `tape   ${results.run.tape.path}  (${results.run.tape.lines} lines, sha256 ${results.run.tape.sha256.slice(0, 12)}…)`,
    );
  out.push('');
  for (const c of results.checks) {
    out.push(`  ${c.pass ? 'ok  ' : 'FAIL'}  ${c.id.padEnd(36)} ${c.measured}`);
  }
  for (const c of failed) {
    const diffs = c.evidence.differences ?? [];
    if (diffs.length === 0 && !c.evidence.bookDiff) continue;
    out.push('');
    out.push(`  ${c.id}: ${c.threshold}`);
    for (const d of diffs.slice(0, 5)) {
      out.push(`    at ${d.where}: expected ${d.expected ?? '(nothing)'}, got ${d.actual ?? '(nothing)'}`);
    }
    const b = c.evidence.bookDiff;
    if (b) {
      out.push(`    book of ${b.symbol} at seq ${b.seq} after \`${b.line}\``);
      out.push(
        `      expected bids ${JSON.stringify(b.expected.bids.slice(0, 3))} asks ${JSON.stringify(b.expected.asks.slice(0, 3))}`,
      );
      out.push(
        `      actual   bids ${JSON.stringify(b.actual.bids.slice(0, 3))} asks ${JSON.stringify(b.actual.asks.slice(0, 3))}`,
      );
    }
  }
  out.push('');
  out.push(`evidence  ${dir}`);
  for (const f of reportFiles) out.push(`report    ${f}`);
  return `${out.join('\n')}\n`;
}
