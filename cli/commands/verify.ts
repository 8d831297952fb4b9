import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { inputError } from '../../common/errors.js';
import type { RunResults } from '../../harness/results/types.js';
import { runPaths } from '../../harness/run-dir.js';
import { readSimStats, truncationAllowedOf } from '../../harness/scenarios/common.js';
import { formatSummary } from '../../harness/summary.js';
import { jsonlSource } from '../../harness/verify/sinks/jsonl-source.js';
import { verifyRun } from '../../harness/verify/verify-run.js';
import { writeReport } from '../../reports/index.js';
import { parseJsonText, rootLocation, setOwn } from '../../reports/json-reader.js';
import { parseRunResults } from '../../reports/validate-results.js';

const NOT_A_RUN = 'pass a run directory written by `l2h replay --out DIR`';

async function readInput(file: string, what: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    const code = err instanceof Error && 'code' in err ? String(err.code) : 'unknown';
    throw inputError(
      `not a finished run directory: ${what} ${code === 'ENOENT' ? 'is missing' : 'cannot be read'}`,
      {
        file,
        error: code,
      },
      NOT_A_RUN,
    );
  }
}

/**
 * results.json validated as `l2h report` reads it, plus the top-level fields this version does not
 * know, so rewriting the file keeps what a newer writer put there.
 */
async function readResults(file: string): Promise<{ results: RunResults; extra: Record<string, unknown> }> {
  const text = await readInput(file, 'results.json');
  const { results } = parseRunResults(text, file);
  const raw = JSON.parse(text) as Record<string, unknown>;
  const extra: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) if (!Object.hasOwn(results, key)) setOwn(extra, key, value);
  return { results, extra };
}

interface RunConfig {
  readonly depth: number;
}

/** config.json: only the depth is read back here (the sinks held by services are gone). */
async function readConfig(file: string): Promise<RunConfig> {
  const raw = parseJsonText(await readInput(file, 'config.json'), rootLocation(file, []));
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw inputError(`${file}: the top level must be an object`, { file }, NOT_A_RUN);
  }
  const depth: unknown = (raw as Record<string, unknown>)['depth'] ?? 10;
  if (typeof depth !== 'number' || !Number.isInteger(depth) || depth < 1) {
    throw inputError(
      `${file}: depth must be a whole number ≥ 1 (found ${JSON.stringify(depth)})`,
      { file, field: 'depth' },
      'the book depth the run was made with, e.g. "depth": 10',
    );
  }
  return { depth };
}

export function registerVerify(program: Command): void {
  program
    .command('verify')
    .description(
      'Run the verifications again over a finished run directory (simulator stats vs journal, journal vs\n' +
        'the JSONL sink, every record vs the reference), rewrite results.json and the report.\n' +
        'Sinks held by services (ClickHouse, Kafka, Redis) are checked by `l2h replay` while they run: their\n' +
        'checks, and those about how the processes ended, are carried over as measured then, and count in the verdict.',
    )
    .argument('<dir>', 'a run directory written by `l2h replay`')
    .addHelpText('after', '\nExample:\n  l2h verify runs/20261125-210000\n')
    .action(async (dirArg: string) => {
      const paths = runPaths(resolve(dirArg));
      // The same validation as `l2h report`: a malformed file is bad input naming the field,
      // not a TypeError from deep inside the verification.
      const { results: previous, extra } = await readResults(paths.results);
      const config = await readConfig(paths.config);
      // A crash scenario's cut-short connections are allowed again, or its passing run would fail.
      const truncation = truncationAllowedOf(previous, await readSimStats(paths));
      const outcome = await verifyRun({
        runDir: paths.dir,
        depth: config.depth,
        sinks: [jsonlSource(paths.data)],
        truncatedAllowed: truncation.names,
      });
      // What cannot be measured again here (how the processes ended, scenario checks, sinks held
      // by services that are gone) is kept as measured then: dropping a failed one would turn a
      // failed run into a pass. Re-measured checks take their old place; new ones go last.
      const fresh = new Map(outcome.checks.map((c) => [c.id, c]));
      const carried = previous.checks.filter((c) => !fresh.has(c.id));
      const checks = [
        ...previous.checks.map((c) => fresh.get(c.id) ?? c),
        ...outcome.checks.filter((c) => !previous.checks.some((p) => p.id === c.id)),
      ];
      const results: RunResults = {
        ...extra,
        ...previous,
        checks,
        verdict: checks.every((c) => c.pass) ? 'pass' : 'fail',
      };
      await writeFile(paths.results, `${JSON.stringify(results, null, 2)}\n`);
      const { files } = await writeReport(paths.dir);
      const notes = [
        `re-measured: ${outcome.checks.map((c) => c.id).join(', ')}`,
        carried.length > 0
          ? `carried over as measured by the run, not re-measured: ${carried.map((c) => `${c.id} (${c.pass ? 'pass' : 'FAIL'})`).join(', ')}`
          : 'carried over: none',
        truncation.names.size > 0
          ? `connections allowed to be cut short (${truncation.source === 'recorded' ? 'as the run recorded' : `as the ${previous.run.scenario} scenario allows`}): ${[...truncation.names].join(', ')}`
          : null,
      ].filter((n): n is string => n !== null);
      process.stdout.write(
        `${notes.join('\n')}\n${formatSummary(
          results,
          paths.dir,
          files.filter((f) => f.endsWith('.html')),
        )}`,
      );
      process.exitCode = results.verdict === 'pass' ? 0 : 1;
    });
}
