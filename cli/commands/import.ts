import type { Command } from 'commander';
import { createProgress, type Progress } from '../../common/progress.js';
import { importJsonl } from '../../fixtures/import/jsonl.js';
import { importLobster, lobsterNameParts } from '../../fixtures/import/lobster.js';

export function registerImport(program: Command): void {
  const cmd = program
    .command('import')
    .description(
      "turn other data into a tape: `lobster` (LOBSTER message + orderbook CSV) or `jsonl` (records of the seed's format)",
    )
    .addHelpText(
      'after',
      `
Examples:
  l2h import lobster AAPL_2012-06-21_34200000_57600000_message_10.csv AAPL_2012-06-21_34200000_57600000_orderbook_10.csv
  l2h import jsonl data/AAPL_l2_20250725.jsonl data/AAPL_l1_20250725.jsonl data/AAPL_ticks_20250725.jsonl --out aapl.tape.gz`,
    );

  cmd
    .command('lobster')
    .summary('LOBSTER message + orderbook CSV files → tape')
    .description(
      "LOBSTER → tape: by-price L2 lines that reproduce LOBSTER's own top-N books row by row (7 summary, then 8/9), " +
        'executions (types 4 and 5) as L1 trades, T lines every second',
    )
    .argument('<message>', 'the …_message_N.csv file')
    .argument('<orderbook>', 'the …_orderbook_N.csv file of the same download')
    .option('--out <file>', 'tape to write (gzip when it ends in .gz); default SYMBOL-DATE-lobster.tape')
    .option('--symbol <symbol>', 'symbol for the lines (default: from the file name)')
    .option('--date <YYYY-MM-DD>', 'trading day (default: from the file name)')
    .addHelpText(
      'after',
      `
The tape's book is LOBSTER's visible depth: a level leaving the top N is a 9, one entering it an 8.
Order Count is left empty (LOBSTER does not give it). Halts (type 7) write nothing.

Example:
  l2h import lobster AAPL_2012-06-21_34200000_57600000_message_10.csv \\
                     AAPL_2012-06-21_34200000_57600000_orderbook_10.csv --out aapl-lobster.tape`,
    )
    .action(
      async (message: string, orderbook: string, flags: { out?: string; symbol?: string; date?: string }) => {
        const named = lobsterNameParts(message);
        const out =
          flags.out ??
          `${(flags.symbol ?? named?.symbol ?? 'lobster').toUpperCase()}-${flags.date ?? named?.date ?? 'day'}-lobster.tape`;
        const r = await importLobster({
          messageFile: message,
          orderbookFile: orderbook,
          out,
          symbol: flags.symbol,
          date: flags.date,
        });
        process.stdout.write(
          `${r.path}\n  ${r.lines} lines: ${r.rows} LOBSTER rows of ${r.symbol} ${r.date} (${r.levels} levels), ${r.trades} trades\n`,
        );
      },
    );

  cmd
    .command('jsonl')
    .summary('record files (L2, L1, ticks; JSONL) → tape')
    .description(
      'records (L2 snapshots, L1 quotes, ticks; one JSON object a line, e.g. AAPL_l2_20250725.jsonl) → tape, ' +
        'merged by timestamp across files; gap markers are left out',
    )
    .argument('<files...>', 'record files, plain or gzip; seq and session may be absent')
    .option('--out <file>', 'tape to write (gzip when it ends in .gz)', 'imported.tape')
    .option('--skip-bad', 'count and skip malformed records instead of stopping at the first')
    .addHelpText(
      'after',
      `
The first snapshot of a symbol becomes a 7 burst, each later one the 8/9 lines from the previous
one; quotes become Q lines (Message Contents b/a), ticks Q lines with C.

Examples:
  l2h import jsonl data/*_20250725.jsonl --out 2025-07-25.tape.gz
  l2h import jsonl old/AAPL_l2_20240102.jsonl --skip-bad`,
    )
    .action(async (files: string[], flags: { out: string; skipBad?: boolean }) => {
      const bar: { progress: Progress | null } = { progress: null };
      let r: Awaited<ReturnType<typeof importJsonl>>;
      try {
        r = await importJsonl(
          { files, out: flags.out, skipBad: flags.skipBad === true },
          (phase, done, total) => {
            // The scan does not know its total; the bar starts with the writing pass.
            if (phase !== 'write') return;
            bar.progress ??= createProgress('import', total, 'records');
            bar.progress.update(done);
          },
        );
      } finally {
        bar.progress?.stop();
      }
      process.stdout.write(
        `${r.path}\n  ${r.lines} lines from ${r.records.l2} L2 snapshots, ${r.records.l1} quotes, ${r.records.ticks} ticks ` +
          `(${r.symbols.join(',')})\n`,
      );
      if (r.gapsIgnored > 0) process.stdout.write(`  ${r.gapsIgnored} gap markers left out\n`);
      if (r.outOfOrder > 0) {
        process.stdout.write(
          `  ${r.outOfOrder} records were earlier than the one before them in their file: written in file order\n`,
        );
      }
      if (r.bad > 0) {
        process.stderr.write(`l2h: skipped ${r.bad} malformed records:\n`);
        for (const b of r.badExamples) process.stderr.write(`  ${b.file}:${b.line}: ${b.reason}\n`);
        if (r.bad > r.badExamples.length)
          process.stderr.write(`  … and ${r.bad - r.badExamples.length} more\n`);
      }
    });
}
