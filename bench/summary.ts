import type { BenchFigure } from './figure.js';
import type { LoadAverage } from './machine.js';

/** Numbers as people read them: thousands separated, small values to 4 significant digits. */
export function formatNumber(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  return Math.abs(n) >= 1000 ? Math.round(n).toLocaleString('en-US') : String(Number(n.toPrecision(4)));
}

/** Rows padded into aligned columns. */
export function table(rows: readonly (readonly string[])[]): string {
  if (rows.length === 0) return '';
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows
    .map((r) =>
      r
        .map((cell, c) => cell.padEnd(widths[c]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

export function formatLoad(l: LoadAverage): string {
  return l.map((v) => v.toFixed(2)).join(' ');
}

/**
 * The summary table `npm run bench` prints: one row per figure with its same-run baseline and
 * the ratio to it (the number to read on a noisy machine), and the target with whether it held.
 */
export function summaryTable(results: Readonly<Record<string, readonly BenchFigure[]>>): string {
  const rows: string[][] = [['suite', 'figure', 'value', 'baseline (same run)', 'ratio', 'target', 'pass']];
  for (const [suite, figures] of Object.entries(results)) {
    for (const f of figures) {
      rows.push([
        suite,
        f.name,
        `${formatNumber(f.value)} ${f.unit}`,
        f.baseline ? `${formatNumber(f.baseline.value)} (${f.baseline.name})` : '',
        f.ratio === undefined ? '' : `${f.ratio.toFixed(3)}x`,
        f.target ? `${f.target.op} ${formatNumber(f.target.value)}` : '',
        f.pass === undefined ? '' : f.pass ? 'yes' : 'NO',
      ]);
    }
  }
  return table(rows);
}
