#!/usr/bin/env node
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { errorMessage } from '../common/errors.js';
import { type BenchResults, suiteProvenance } from './results.js';
import { runBench } from './runner.js';
import { SUITES } from './suites/index.js';
import { formatLoad, summaryTable } from './summary.js';

/**
 * `npm run bench`: runs the registered suites, writes bench/results/<YYYY-MM-DD>-<commit>.json
 * (with the machine, the commit and the load averages around the run) and prints a summary table.
 */

const HELP = `Usage: npm run bench -- [options]

Runs the benchmark suites and writes bench/results/<YYYY-MM-DD>-<short commit>.json: every
figure with its same-run baseline and ratio, the machine (cores, model, memory, node), the
commit and the load averages at the start and end of the run (read ratios, not raw values, on
a shared machine). A full run takes a few minutes; --quick is a CI smoke of under a minute.

Options:
  --suite NAME      run only this suite (repeatable); default: all
  --quick           fewer rounds and smaller inputs (a smoke run; noisier figures)
  --out DIR         write the JSON there instead of bench/results
  --cpu-prof DIR    start the collector and simulator with node --cpu-prof, profiles in DIR
                    (open them in Chrome DevTools or speedscope to see where time goes)
  --check           exit 1 when a figure misses its target or a suite fails
  --list            list the suites and exit
  -h, --help        this text

Environment:
  L2H_CACHE_DIR     where generated inputs are kept between runs (default .cache/): the
                    10M-line day tape is generated once (about 2 minutes) and reused
  CLICKHOUSE_URL, KAFKA_BROKERS, REDIS_URL
                    services for the sink suites; else containers, else local processes

Suites: ${SUITES.map((s) => s.name).join(', ')}

Examples:
  npm run build && npm run bench
  npm run bench -- --quick
  npm run bench -- --suite decode --suite records
  npm run bench -- --suite e2e --cpu-prof /tmp/prof
  npm run bench:compare bench/results/A.json bench/results/B.json`;

const repoRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      suite: { type: 'string', multiple: true },
      quick: { type: 'boolean', default: false },
      out: { type: 'string' },
      'cpu-prof': { type: 'string' },
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
  const cpuProfDir = values['cpu-prof'] ? resolve(values['cpu-prof']) : null;
  if (cpuProfDir) mkdirSync(cpuProfDir, { recursive: true });
  const outcome = await runBench({
    suites: SUITES.filter((s) => wanted.includes(s.name)),
    quick: values.quick,
    outDir: values.out ? resolve(values.out) : join(repoRoot, 'bench/results'),
    repoRoot,
    command: `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
    cpuProfDir,
    cacheDir: process.env.L2H_CACHE_DIR ?? join(repoRoot, '.cache'),
    log: (message) => process.stderr.write(`${message}\n`),
  });
  const { results, ran, file } = outcome;
  const failed = Object.entries(ran).filter(([, s]) => s.error !== undefined);
  const m = results.machine;
  process.stdout.write(
    `${summaryTable(Object.fromEntries(Object.entries(ran).map(([k, s]) => [k, s.figures])))}\n\n` +
      failed.map(([name, s]) => `suite ${name} FAILED: ${s.error}\n`).join('') +
      `machine: ${m.cpus} × ${m.cpuModel}, ${m.memoryMb} MB, ${m.os}, node ${m.node}\n` +
      `commit:  ${results.commit}${dirtyNote(results, Object.keys(ran))}\n` +
      `load average (1/5/15 min): start ${formatLoad(results.loadAverage.start)}, end ${formatLoad(results.loadAverage.end)}; ${results.durationS} s\n` +
      `written: ${file}\n`,
  );
  const missed = Object.values(ran)
    .flatMap((s) => s.figures)
    .filter((f) => f.pass === false);
  return values.check && (missed.length > 0 || failed.length > 0) ? 1 : 0;
}

/** This run's tree state, and the merged suites of other runs made on a modified tree. */
function dirtyNote(results: BenchResults, ranNow: readonly string[]): string {
  const thisRun = ranNow.some((name) => suiteProvenance(results, name).dirty);
  const older = Object.keys(results.suites).filter(
    (name) => !ranNow.includes(name) && suiteProvenance(results, name).dirty,
  );
  return (
    (thisRun ? ' (work tree modified)' : '') +
    (older.length > 0 ? `; merged suites measured on a modified tree: ${older.join(', ')}` : '')
  );
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`bench: ${errorMessage(err)}\n`);
    process.exitCode = 1;
  },
);
