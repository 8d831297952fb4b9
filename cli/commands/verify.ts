import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { SinkName } from '../../collector/sinks/sink.js';
import { inputError } from '../../common/errors.js';
import type { RunResults } from '../../harness/results/types.js';
import { runPaths } from '../../harness/run-dir.js';
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
        'Sinks held by services (ClickHouse, Kafka, Redis) are checked by `l2h replay` while they run.',
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
      const outcome = await verifyRun({
        runDir: paths.dir,
        depth: config.depth ?? 10,
        sinks: [jsonlSource(paths.data)],
      });
      // Checks about how the processes ended cannot be measured again; they are kept as measured then.
      const kept = previous.checks.filter((c) => c.id.startsWith('process.') || c.id.startsWith('scenario.'));
      const checks = [...kept, ...outcome.checks];
      const results: RunResults = {
        ...previous,
        checks,
        verdict: checks.every((c) => c.pass) ? 'pass' : 'fail',
      };
      await writeFile(paths.results, `${JSON.stringify(results, null, 2)}\n`);
      const { files } = await writeReport(paths.dir);
      process.stdout.write(
        formatSummary(
          results,
          paths.dir,
          files.filter((f) => f.endsWith('.html')),
        ),
      );
      process.exitCode = results.verdict === 'pass' ? 0 : 1;
    });
}
