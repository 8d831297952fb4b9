#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { errorMessage, L2hError, usageError } from '../common/errors.js';
import { type Comparison, compareResults } from './regression.js';
import { readResults } from './results.js';
import { formatNumber, table } from './summary.js';

const HELP = `Usage: npm run bench:compare -- BEFORE.json AFTER.json [options]

Compares two results files of \`npm run bench\` figure by figure: the ratio to the same-run
baseline where both runs have one (so machine noise cancels out), else the raw value. Exits 1
when any figure got worse by more than the allowed fraction, or when a figure of BEFORE is
missing from AFTER (a suite broke); 0 otherwise; 2 on bad usage.

Options:
  --max-regression F       allowed fraction in the worse direction (default 0.1 = 10 %)
  --allow NAME=F           a different allowance for one figure ("suite/figure" or "figure");
                           repeatable, e.g. --allow "latency/feed→journal p99 at 10k/s=0.5"
  --allow-missing          do not fail on figures missing from AFTER (still listed)
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

function render(c: Comparison): string {
  const rows = [['suite', 'figure', 'compared', 'before', 'after', 'change', 'allowed', 'verdict']];
  for (const f of c.figures) {
    rows.push([
      f.suite,
      f.name,
      f.basis === 'ratio' ? 'ratio to baseline' : `value (${f.unit})`,
      f.basis === 'ratio' ? f.before.toFixed(3) : formatNumber(f.before),
      f.basis === 'ratio' ? f.after.toFixed(3) : formatNumber(f.after),
      `${f.change >= 1 ? '+' : ''}${((f.change - 1) * 100).toFixed(1)}% (${f.higherIsBetter ? 'higher' : 'lower'} is better)`,
      `${(f.allowed * 100).toFixed(0)}%`,
      f.verdict === 'regressed' ? 'REGRESSED' : f.verdict,
    ]);
  }
  const lines = [table(rows), ''];
  for (const m of c.missing) {
    lines.push(
      m.missingIn === 'after'
        ? `MISSING in after: ${m.suite}/${m.name}${m.reason ? ` (suite failed: ${m.reason})` : ''}`
        : `new in after:     ${m.suite}/${m.name}`,
    );
  }
  for (const w of c.warnings) lines.push(`warning: ${w}`);
  lines.push(
    `${c.regressions.length} regressed, ${c.figures.filter((f) => f.verdict === 'improved').length} improved, ` +
      `${c.figures.filter((f) => f.verdict === 'same').length} within the band, ` +
      `${c.missing.filter((m) => m.missingIn === 'after').length} missing`,
  );
  return `${lines.join('\n')}\n`;
}

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      'max-regression': { type: 'string', default: '0.1' },
      allow: { type: 'string', multiple: true },
      'allow-missing': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
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
  const [before, after] = await Promise.all(positionals.map((p) => readResults(p)));
  const comparison = compareResults(before!, after!, {
    maxRegression,
    overrides: parseAllow(values.allow ?? []),
  });
  process.stdout.write(values.json ? `${JSON.stringify(comparison, null, 2)}\n` : render(comparison));
  const lost = comparison.missing.some((m) => m.missingIn === 'after');
  return comparison.regressions.length > 0 || (lost && !values['allow-missing']) ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`bench:compare: ${errorMessage(err)}\n`);
    process.exitCode =
      err instanceof L2hError && (err.code === 'BAD_USAGE' || err.code === 'BAD_INPUT') ? 2 : 1;
  },
);
