import type { Command } from 'commander';
import { createLogger } from '../../common/logger.js';
import { runSelftest } from '../../harness/selftest/selftest.js';
import { formatSummary } from '../../harness/summary.js';
import { writeReport } from '../../reports/index.js';
import { intOption } from '../options.js';

export function registerSelftest(program: Command): void {
  program
    .command('selftest')
    .description(
      'Check the checker: replay a small generated day with one disconnect (it must pass), then plant\n' +
        'defects in copies of the run — a dropped record, a level off by one, a rounded price, a\n' +
        'duplicated batch, a stale level after a delete, a missed resync — and require the verification\n' +
        'that should catch each to fail, for that reason. Exit 0 when every defect is caught.',
    )
    .option('--out <dir>', 'directory for the clean run and the planted copies', 'runs/selftest')
    .option('--lines <n>', 'size of the generated day', '30000')
    .option('--seed <text>', 'generator seed', 'selftest')
    .option('--log-level <level>', 'log level on stderr', 'warn')
    .addHelpText('after', '\nExample:\n  l2h selftest --out /tmp/selftest\n')
    .action(async (flags: { out: string; lines: string; seed: string; logLevel: string }) => {
      const { dir, results } = await runSelftest({
        out: flags.out,
        lines: intOption('--lines', flags.lines, 1000),
        seed: flags.seed,
        logger: createLogger({ level: flags.logLevel }),
        command: `l2h ${process.argv.slice(2).join(' ')}`,
      });
      const { files } = await writeReport(dir);
      process.stdout.write(
        formatSummary(
          results,
          dir,
          files.filter((f) => f.endsWith('.html')),
        ),
      );
      process.exitCode = results.verdict === 'pass' ? 0 : 1;
    });
}
