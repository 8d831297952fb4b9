import type { Command } from 'commander';
import { writeReport } from '../../reports/write-report.js';

export function registerReport(program: Command): void {
  program
    .command('report')
    .description(
      'write the readiness report of a run (index.html, report.md, report.json, junit.xml in DIR/report) ' +
        'from DIR/results.json and its metrics timeline. It re-measures nothing (`l2h verify DIR` does) and ' +
        "exits with the run's verdict: 0 when the run passed, 1 when a verification failed (the report is " +
        'written either way), 2 on bad usage or a malformed run directory.',
    )
    .argument('<dir>', 'run directory (the --out of `l2h replay`)')
    .option('--out <dir>', 'write the report files here instead of DIR/report')
    .addHelpText(
      'after',
      '\nExample:\n  l2h report runs/2026-11-24-aapl; open runs/2026-11-24-aapl/report/index.html',
    )
    .action(async (dir: string, opts: { out?: string }) => {
      const { files, verdict } = await writeReport(dir, opts.out === undefined ? {} : { outDir: opts.out });
      for (const file of files) process.stdout.write(`${file}\n`);
      // CONTRACTS §3: 1 when a verification failed. A CI step that only renders a failed run
      // must not read green.
      process.exitCode = verdict === 'pass' ? 0 : 1;
    });
}
