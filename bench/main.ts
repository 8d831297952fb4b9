#!/usr/bin/env node
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { BenchFigure } from './figure.js';
import type { BenchSuite } from './suite.js';
import { SUITES } from './suites/index.js';

/**
 * `npm run bench`: runs the registered suites, writes bench/results/<YYYY-MM-DD>-<commit>.json
 * and prints a summary table. Results of the same day and commit are merged per suite, so
 * suites can be run one at a time.
 */

const HELP = `Usage: npm run bench -- [options]

Runs the benchmark suites and writes bench/results/<YYYY-MM-DD>-<short commit>.json.

Options:
  --suite NAME   run only this suite (repeatable); default: all
  --quick        fewer rounds and smaller inputs (a smoke run; noisier figures)
  --out DIR      write the JSON there instead of bench/results
  --check        exit 1 when a figure misses its target
  --list         list the suites and exit
  -h, --help     this text

Suites: ${SUITES.map((s) => s.name).join(', ')}

Examples:
  npm run build && npm run bench
  npm run bench -- --suite decode --quick`;

export interface BenchResults {
  readonly date: string;
  readonly commit: string;
  readonly dirty: boolean;
  readonly node: string;
  readonly platform: string;
  readonly cpu: string;
  readonly cores: number;
  readonly suites: Readonly<
    Record<string, { readonly ranAt: string; readonly figures: readonly BenchFigure[] }>
  >;
}

const repoRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');

function git(args: readonly string[]): string | null {
  try {
    return execFileSync('git', args, {
      cwd: repoRoot,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return null;
  }
}

function format(n: number): string {
  return Math.abs(n) >= 1000 ? Math.round(n).toLocaleString('en-US') : String(Number(n.toPrecision(4)));
}

function table(rows: readonly (readonly string[])[]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r) => r.map((cell, c) => cell.padEnd(widths[c])).join('  ')).join('\n');
}

function summary(results: Readonly<Record<string, readonly BenchFigure[]>>): string {
  const rows: string[][] = [['suite', 'figure', 'value', 'baseline', 'ratio', 'target', 'pass']];
  for (const [suite, figures] of Object.entries(results)) {
    for (const f of figures) {
      rows.push([
        suite,
        f.name,
        `${format(f.value)} ${f.unit}`,
        f.baseline ? `${format(f.baseline.value)} (${f.baseline.name})` : '',
        f.ratio === undefined ? '' : `${f.ratio.toFixed(2)}x`,
        f.target ? `${f.target.op} ${format(f.target.value)}` : '',
        f.pass === undefined ? '' : f.pass ? 'yes' : 'NO',
      ]);
    }
  }
  return table(rows);
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      suite: { type: 'string', multiple: true },
      quick: { type: 'boolean', default: false },
      out: { type: 'string' },
      check: { type: 'boolean', default: false },
      list: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  if (values.list) {
    for (const s of SUITES) process.stdout.write(`${s.name}\t${s.description}\n`);
    return 0;
  }
  const wanted = values.suite ?? SUITES.map((s) => s.name);
  const unknown = wanted.filter((n) => !SUITES.some((s) => s.name === n));
  if (unknown.length > 0) {
    process.stderr.write(
      `bench: unknown suite ${unknown.join(', ')}; known: ${SUITES.map((s) => s.name).join(', ')}\n`,
    );
    return 2;
  }
  const suites: BenchSuite[] = SUITES.filter((s) => wanted.includes(s.name));

  const ran: Record<string, readonly BenchFigure[]> = {};
  for (const suite of suites) {
    process.stderr.write(`bench: ${suite.name} — ${suite.description}\n`);
    ran[suite.name] = await suite.run({
      quick: values.quick,
      log: (message) => process.stderr.write(`  ${message}\n`),
    });
  }

  const now = new Date();
  const date = now.toISOString().slice(0, 10);
  const commit = git(['rev-parse', '--short', 'HEAD']) ?? 'nocommit';
  const outDir = values.out ? resolve(values.out) : resolve(repoRoot, 'bench/results');
  const file = resolve(outDir, `${date}-${commit}.json`);
  const previous: BenchResults | null = existsSync(file)
    ? (JSON.parse(readFileSync(file, 'utf8')) as BenchResults)
    : null;
  const results: BenchResults = {
    date,
    commit,
    dirty: (git(['status', '--porcelain']) ?? '') !== '',
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    suites: {
      ...previous?.suites,
      ...Object.fromEntries(
        Object.entries(ran).map(([name, figures]) => [name, { ranAt: now.toISOString(), figures }]),
      ),
    },
  };
  mkdirSync(outDir, { recursive: true });
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);

  process.stdout.write(`${summary(ran)}\n\nwritten: ${file}\n`);
  const missed = Object.values(ran)
    .flat()
    .filter((f) => f.pass === false);
  return values.check && missed.length > 0 ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`bench: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  },
);
