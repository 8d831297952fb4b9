import type { Command } from 'commander';
import { usageError } from '../../common/errors.js';
import { createProgress } from '../../common/progress.js';
import { generateTape } from '../../fixtures/generate/generate.js';
import {
  DEFAULT_CROSSED,
  DEFAULT_DATE,
  DEFAULT_LINES,
  DEFAULT_LOCKED,
} from '../../fixtures/generate/options.js';
import { DEFAULT_SYMBOLS } from '../../fixtures/generate/symbols.js';

interface GenerateFlags {
  seed?: string;
  out?: string;
  lines?: number;
  symbols?: string;
  date?: string;
  start?: string;
  end?: string;
  crossed?: number;
  locked?: number;
}

export function registerGenerate(program: Command): void {
  program
    .command('generate')
    .description(
      'write a synthetic market day as a tape: what IQConnect would send a client watching every symbol ' +
        '(L1 quotes and trades, L2 depth by price, by order and by market maker), premarket to after-hours, ' +
        'with planted crossed/locked book moments stated in the header. Same seed and options, same bytes.',
    )
    .requiredOption('--seed <seed>', 'any text; the day is a function of it')
    .option('--out <file>', 'tape to write (gzip when it ends in .gz)', undefined)
    .option(
      '--lines <n>',
      `target number of lines, e.g. 500k or 20m (default ${DEFAULT_LINES})`,
      countOption('--lines'),
    )
    .option(
      '--symbols <list>',
      `SYM or SYM=family (mbp, mbo, mbo-orders, mbo-makers, mm), comma separated (default ${DEFAULT_SYMBOLS.join(',')})`,
    )
    .option('--date <YYYY-MM-DD>', `the trading day (default ${DEFAULT_DATE})`)
    .option(
      '--start <HH:MM[:SS]>',
      'window start, US Eastern (default 04:00, or what the line budget allows)',
    )
    .option('--end <HH:MM[:SS]>', 'window end, US Eastern (default 20:00, or what the line budget allows)')
    .option(
      '--crossed <n>',
      `planted crossed-book episodes (default ${DEFAULT_CROSSED})`,
      countOption('--crossed'),
    )
    .option(
      '--locked <n>',
      `planted locked-book episodes (default ${DEFAULT_LOCKED})`,
      countOption('--locked'),
    )
    .addHelpText(
      'after',
      `
A full 04:00–20:00 day needs about 460k lines or more (two T lines a second take a quarter of
the budget); with fewer lines the window shrinks around the open (and the close) unless
--start/--end are given.

Examples:
  l2h generate --seed 42                                  # 1M lines, the default symbols
  l2h generate --seed 42 --lines 20m --out big.tape.gz
  l2h generate --seed 7 --lines 2000 --symbols AAPL,@ESU25,MSFT=mbo,IBM=mm
  l2h generate --seed 7 --start 09:25 --end 09:40 --lines 50k --crossed 5 --locked 5`,
    )
    .action(async (flags: GenerateFlags) => {
      const seed = flags.seed ?? '';
      const out = flags.out ?? `synthetic-seed-${seed.replace(/[^A-Za-z0-9_-]/g, '_')}.tape.gz`;
      const progress = createProgress('generate', 1, 'seconds', ['lines']);
      const started = process.hrtime.bigint();
      let result: Awaited<ReturnType<typeof generateTape>>;
      try {
        result = await generateTape(
          {
            seed,
            lines: flags.lines,
            symbols: flags.symbols,
            date: flags.date,
            start: flags.start,
            end: flags.end,
            crossed: flags.crossed,
            locked: flags.locked,
          },
          out,
          (done, total, lines) => {
            progress.setTotal(total);
            progress.update(done, { lines });
          },
        );
      } finally {
        progress.stop();
      }
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const get = (key: string): string => result.headers.find(([k]) => k === key)?.[1] ?? '';
      process.stdout.write(
        `${result.path}\n` +
          `  ${result.lines} lines, ${get('date')} ${get('window')} US Eastern, seed ${get('seed')}\n` +
          `  symbols ${get('l2')}\n` +
          `  planted ${get('planted')}\n` +
          `  ${seconds.toFixed(1)} s (${Math.round(result.lines / seconds)} lines/s)\n`,
      );
    });
}

/** `500000`, `500_000`, `500k`, `20m`: a whole count; `flag` names it in the error. */
export function parseCount(text: string, flag: string): number {
  const m = /^(\d[\d_]*)([km])?$/i.exec(text.trim());
  if (!m)
    throw usageError(
      `${flag} must be a count, got ${JSON.stringify(text)}`,
      `write a whole number such as 500000, 500k or 2m, e.g. ${flag} 500k`,
    );
  const base = Number(m[1].replaceAll('_', ''));
  const unit = m[2] === undefined ? 1 : m[2].toLowerCase() === 'k' ? 1000 : 1_000_000;
  return base * unit;
}

/** A commander parser for a count flag. */
function countOption(flag: string): (text: string) => number {
  return (text) => parseCount(text, flag);
}
