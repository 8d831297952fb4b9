import type { Command } from 'commander';
import { createLogger } from '../../common/logger.js';
import { runRegress } from '../../harness/regress/regress.js';

export function registerRegress(program: Command): void {
  program
    .command('regress')
    .description(
      'Replay captured or generated market days and compare every record stream with the golden\n' +
        'results kept beside each fixture. Exit 0 when all match, 1 when any differs or fails to verify.',
    )
    .argument('<fixtures...>', '*.fixture.json files, or folders of them (e.g. fixtures/days)')
    .option('--out <dir>', 'where the runs go', 'runs/regress')
    .option('--update-golden', 'bless the new results as golden and print what changed')
    .option('--log-level <level>', 'log level on stderr', 'warn')
    .addHelpText(
      'after',
      '\nA fixture spec (fixtures/days/*.fixture.json) says how to make its tape:\n' +
        '  {"name": "…", "description": "…", "source": {"generate": {"seed": "x", "lines": 40000}}}\n' +
        '  {"source": {"lobster": {"message": "${L2H_SHARED_DIR}/data/lobster/…_message_10.csv", "orderbook": "…"}}}\n' +
        '  {"source": {"tape": "captured/2025-07-25.tape.gz"}}\n' +
        'Golden results sit beside it as <name>.golden.json (counts and digests per kind and symbol).\n' +
        '\nExamples:\n' +
        '  l2h regress fixtures/days\n' +
        '  l2h regress fixtures/days/generated-small.fixture.json --update-golden\n',
    )
    .action(async (fixtures: string[], flags: { out: string; updateGolden?: boolean; logLevel: string }) => {
      const outcomes = await runRegress({
        fixtures,
        out: `${flags.out}/${new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '')}`,
        updateGolden: flags.updateGolden === true,
        logger: createLogger({ level: flags.logLevel }),
        command: `l2h ${process.argv.slice(2).join(' ')}`,
      });
      for (const o of outcomes) {
        process.stdout.write(
          `${o.check.pass ? 'ok  ' : 'FAIL'}  ${o.fixture.padEnd(28)} ${o.check.measured}\n`,
        );
        for (const c of o.changes ?? []) process.stdout.write(`        ${c.stream}: ${c.what}\n`);
        if (o.blessed) process.stdout.write(`        golden results updated\n`);
        process.stdout.write(`        run: ${o.runDir}\n`);
      }
      process.exitCode = outcomes.every((o) => o.check.pass) ? 0 : 1;
    });
}
