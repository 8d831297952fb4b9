import type { Command } from 'commander';
import { L2hError } from '../../common/errors.js';

// Placeholder until this command is built; it says so instead of pretending.
export function registerRegress(program: Command): void {
  program
    .command('regress')
    .description('(not built yet)')
    .allowUnknownOption()
    .action(() => {
      throw new L2hError('l2h regress is not built yet', { code: 'INTERNAL' });
    });
}
