import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { SinkName } from '../../collector/sinks/sink.js';
import { inputError } from '../../common/errors.js';
import type { RunResults } from '../../harness/results/types.js';
import { runPaths } from '../../harness/run-dir.js';
import { readSimStats, truncationAllowedOf } from '../../harness/scenarios/common.js';
import { formatSummary } from '../../harness/summary.js';
import { jsonlSource } from '../../harness/verify/sinks/jsonl-source.js';
import { verifyRun } from '../../harness/verify/verify-run.js';
import { writeReport } from '../../reports/index.js';

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
      let previous: RunResults;
      let config: { depth?: number; sinks?: SinkName[] };
      try {
        previous = JSON.parse(await readFile(paths.results, 'utf8')) as RunResults;
        config = JSON.parse(await readFile(paths.config, 'utf8')) as typeof config;
      } catch (err) {
        throw inputError('not a finished run directory (results.json or config.json missing or unreadable)', {
          dir: paths.dir,
          error: String(err),
        });
      }
      // A crash scenario's cut-short connections are allowed again, or its passing run would fail.
      const truncation = truncationAllowedOf(previous, await readSimStats(paths));
      const outcome = await verifyRun({
        runDir: paths.dir,
        depth: config.depth ?? 10,
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
