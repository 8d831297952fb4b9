import { parseArgs } from 'node:util';
import { errorMessage, L2hError, usageError } from '../common/errors.js';
import { type Comparison, compareResults, type FigureComparison, unmatchedOverrides } from './regression.js';
import { type BenchResults, readResults } from './results.js';
import { formatNumber, table } from './summary.js';

export const HELP = `Usage: npm run bench:compare -- BEFORE.json AFTER.json [options]

Compares two results files of \`npm run bench\` figure by figure: the ratio to the same-run
baseline where both runs measured the same baseline (so machine noise cancels out), else the
raw value (the table says why). A lower-is-better figure whose BEFORE is 0 regresses when it
rises past --abs-tolerance; a higher-is-better one whose BEFORE is 0 is listed as not comparable.
Exits 1 when any figure got worse by more than the allowed fraction, when a figure of BEFORE is
missing from AFTER (a suite broke), or when a suite of BEFORE failed or wrote no figures (nothing
of it was compared); 0 otherwise; 2 on bad usage, including an --allow that names no figure.

Options:
  --max-regression F       allowed fraction in the worse direction (default 0.1 = 10 %)
  --allow NAME=F           a different allowance for one figure ("suite/figure" or "figure");
                           repeatable, e.g. --allow "latency/feed→journal p99 at 10k msgs/s=0.5"
  --abs-tolerance N        how far a lower-is-better figure may rise from a BEFORE of 0, in its
                           own unit (default 0)
  --allow-missing          do not fail on figures missing from AFTER, nor on BEFORE suites that
                           failed or wrote no figures (still listed)
  --json                   print the comparison as JSON instead of a table
  -h, --help               this text

Example (CI, both runs on the same machine, one after the other):
  npm run bench:compare -- base.json bench/results/2026-11-25-abc1234.json --max-regression 0.15`;

function parseAllow(items: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const item of items) {
    const eq = item.lastIndexOf('=');
    const f = Number(item.slice(eq + 1));
    if (eq <= 0 || !(f >= 0)) throw usageError(`--allow wants NAME=FRACTION, got ${JSON.stringify(item)}`);
    out[item.slice(0, eq)] = f;
  }
  return out;
}

/** The figure names sharing the longest prefix with a mistyped one: usually the one meant. */
function closest(name: string, candidates: ReadonlySet<string>): string[] {
  const prefix = (c: string) => {
    let i = 0;
    while (i < name.length && i < c.length && name[i] === c[i]) i++;
    return i;
  };
  let best = 0;
  let names: string[] = [];
  for (const c of candidates) {
    const n = prefix(c);
    if (n > best) [best, names] = [n, [c]];
    else if (n === best && n > 0) names.push(c);
  }
  return best >= Math.min(8, name.length / 2) ? names.slice(0, 3) : [];
}

function figureNames(...files: readonly BenchResults[]): Set<string> {
  const names = new Set<string>();
  for (const f of files) {
    for (const [suite, s] of Object.entries(f.suites))
      for (const g of s.figures) names.add(`${suite}/${g.name}`);
  }
  return names;
}

function formatChange(f: FigureComparison): string {
  const direction = `(${f.higherIsBetter ? 'higher' : 'lower'} is better)`;
  if (f.change === null) return `from 0: +${formatNumber(f.after)} ${f.unit} ${direction}`;
  return `${f.change >= 1 ? '+' : ''}${((f.change - 1) * 100).toFixed(1)}% ${direction}`;
}

function render(c: Comparison): string {
  const rows = [['suite', 'figure', 'compared', 'before', 'after', 'change', 'allowed', 'verdict']];
  for (const f of c.figures) {
    rows.push([
      f.suite,
      f.name,
      f.basis === 'ratio'
        ? 'ratio to baseline'
        : `value (${f.unit})${f.baselines ? ', baselines differ' : ''}`,
      f.basis === 'ratio' ? f.before.toFixed(3) : formatNumber(f.before),
      f.basis === 'ratio' ? f.after.toFixed(3) : formatNumber(f.after),
      formatChange(f),
      f.allowedAbsolute === undefined
        ? `${(f.allowed * 100).toFixed(0)}%`
        : `+${formatNumber(f.allowedAbsolute)} ${f.unit}`,
      f.verdict === 'regressed' ? 'REGRESSED' : f.verdict,
    ]);
  }
  const lines = [table(rows), ''];
  for (const f of c.figures) if (f.note) lines.push(`note: ${f.suite}/${f.name}: ${f.note}`);
  for (const n of c.notComparable) {
    lines.push(
      `NOT COMPARABLE:   ${n.suite}/${n.name}: ${formatNumber(n.before)} → ${formatNumber(n.after)} ${n.unit}; ${n.reason}`,
    );
  }
  for (const u of c.unmeasured) {
    lines.push(`NOT COMPARED:     suite ${u.suite} of BEFORE measured nothing (${u.reason})`);
  }
  for (const m of c.missing) {
    lines.push(
      m.missingIn === 'after'
        ? `MISSING in after: ${m.suite}/${m.name}${m.reason ? ` (suite failed: ${m.reason})` : ''}`
        : `new in after:     ${m.suite}/${m.name}`,
    );
  }
  if (c.figures.length === 0) lines.push('NOTHING COMPARED: no figure is in both files');
  for (const w of c.warnings) lines.push(`warning: ${w}`);
  lines.push(
    `${c.regressions.length} regressed, ${c.figures.filter((f) => f.verdict === 'improved').length} improved, ` +
      `${c.figures.filter((f) => f.verdict === 'same').length} within the band, ` +
      `${c.missing.filter((m) => m.missingIn === 'after').length} missing, ` +
      `${c.notComparable.length} not comparable, ${c.unmeasured.length} BEFORE suites not compared`,
  );
  return `${lines.join('\n')}\n`;
}

/** Where the command writes; a parameter so tests can run the command in-process. */
export interface CompareOutput {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

/** `npm run bench:compare` with its arguments; resolves to the exit code. */
export async function runCompare(args: readonly string[], out: CompareOutput): Promise<number> {
  try {
    return await compare(args, out);
  } catch (err) {
    out.stderr(`bench:compare: ${errorMessage(err)}\n`);
    return err instanceof L2hError && (err.code === 'BAD_USAGE' || err.code === 'BAD_INPUT') ? 2 : 1;
  }
}

async function compare(args: readonly string[], out: CompareOutput): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...args],
    allowPositionals: true,
    options: {
      'max-regression': { type: 'string', default: '0.1' },
      allow: { type: 'string', multiple: true },
      'abs-tolerance': { type: 'string', default: '0' },
      'allow-missing': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    out.stdout(`${HELP}\n`);
    return 0;
  }
  if (positionals.length !== 2)
    throw usageError('give exactly two results files: BEFORE.json AFTER.json', 'see --help');
  const maxRegression = Number(values['max-regression']);
  if (!(maxRegression >= 0)) {
    throw usageError(
      `--max-regression must be a fraction ≥ 0, got ${JSON.stringify(values['max-regression'])}`,
    );
  }
  const absoluteTolerance = Number(values['abs-tolerance']);
  if (!(absoluteTolerance >= 0)) {
    throw usageError(`--abs-tolerance must be a number ≥ 0, got ${JSON.stringify(values['abs-tolerance'])}`);
  }
  const overrides = parseAllow(values.allow ?? []);
  const [before, after] = await Promise.all(positionals.map((p) => readResults(p)));
  // Refused rather than warned about: the gate would judge the figure by another allowance than
  // the command line says, and a warning on stderr of a CI job that passes is never read. A figure
  // renamed by a change still matches BEFORE, so the refusal comes only once both runs lost it.
  const unmatched = unmatchedOverrides(before!, after!, overrides);
  if (unmatched.length > 0) {
    const known = figureNames(before!, after!);
    throw usageError(
      unmatched
        .map((name) => {
          const near = closest(name, known);
          return `--allow ${JSON.stringify(name)} matches no figure of either file${near.length > 0 ? `; did you mean ${near.map((n) => JSON.stringify(n)).join(' or ')}?` : ''}`;
        })
        .join('\n'),
      'give "suite/figure name" or "figure name" exactly as in the results files',
    );
  }
  const comparison = compareResults(before!, after!, { maxRegression, overrides, absoluteTolerance });
  out.stdout(values.json ? `${JSON.stringify(comparison, null, 2)}\n` : render(comparison));
  const lost = comparison.missing.some((m) => m.missingIn === 'after');
  // A BEFORE suite that measured nothing gates nothing: passing it would pass whatever AFTER did.
  const uncompared = comparison.unmeasured.length > 0 || comparison.figures.length === 0;
  return comparison.regressions.length > 0 || ((lost || uncompared) && !values['allow-missing']) ? 1 : 0;
}
