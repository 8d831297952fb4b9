import type { Command } from 'commander';
import { writeReport } from '../../reports/write-report.js';

export function registerReport(program: Command): void {
  program
    .command('report')
    .description(
      'write the readiness report of a run (index.html, report.md, report.json, junit.xml in DIR/report) ' +
        'from DIR/results.json and its metrics timeline',
    )
    .argument('<dir>', 'run directory (the --out of `l2h replay`)')
    .option('--out <dir>', 'write the report files here instead of DIR/report')
    .addHelpText(
      'after',
      '\nExample:\n  l2h report runs/2026-11-24-aapl && open runs/2026-11-24-aapl/report/index.html',
    )
    .action(async (dir: string, opts: { out?: string }) => {
      const { files } = await writeReport(dir, opts.out === undefined ? {} : { outDir: opts.out });
      for (const file of files) process.stdout.write(`${file}\n`);
    });
}
