import type { Command } from 'commander';
import { L2hError } from '../../common/errors.js';

// Placeholder until this command is built; it says so instead of pretending.
export function registerScenarios(program: Command): void {
  program
    .command('scenarios')
    .description('(not built yet)')
    .allowUnknownOption()
    .action(() => {
      throw new L2hError('l2h scenarios is not built yet', { code: 'INTERNAL' });
    });
}
