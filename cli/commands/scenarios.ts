import type { Command } from 'commander';
import { SCENARIOS } from '../../harness/scenarios/index.js';

interface ScenariosFlags {
  readonly json?: boolean;
}

function params(p: Readonly<Record<string, number | string>>): string {
  return Object.entries(p)
    .map(([k, v]) => `${k}=${typeof v === 'number' ? v.toLocaleString('en-US') : v}`)
    .join(' ');
}

export function registerScenarios(program: Command): void {
  program
    .command('scenarios')
    .description('list the named, seeded fault scenarios that `l2h replay --scenario NAME` runs and verifies')
    .option('--json', 'one JSON object per scenario: name, description, seed, CI and full-size parameters')
    .addHelpText(
      'after',
      '\nEach scenario runs at CI size by default and at full size with --full:\n' +
        '  l2h replay --scenario disconnect-storm\n' +
        '  l2h replay --scenario crash-restart --full --out runs/crash\n',
    )
    .action((flags: ScenariosFlags) => {
      if (flags.json) {
        for (const s of SCENARIOS) {
          const { name, description, seed, ci, full, needs } = s;
          process.stdout.write(`${JSON.stringify({ name, description, seed, ci, full, needs })}\n`);
        }
        return;
      }
      const width = Math.max(...SCENARIOS.map((s) => s.name.length));
      for (const s of SCENARIOS) {
        const needs = s.needs.length > 0 ? ` [needs ${s.needs.join(', ')}]` : '';
        process.stdout.write(`${s.name.padEnd(width)}  ${s.description}${needs}\n`);
      }
      if (process.stdout.isTTY) {
        process.stdout.write('\nsizes (CI / --full):\n');
        for (const s of SCENARIOS) {
          process.stdout.write(
            `  ${s.name.padEnd(width)}  seed ${s.seed}  ${params(s.ci)}  /  ${params(s.full)}\n`,
          );
        }
      }
    });
}
