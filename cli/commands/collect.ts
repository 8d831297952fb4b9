import type { Command } from 'commander';
import { L2hError } from '../../common/errors.js';

// Placeholder until this command is built; it says so instead of pretending.
export function registerCollect(program: Command): void {
  program
    .command('collect')
    .description('(not built yet)')
    .allowUnknownOption()
    .action(() => {
      throw new L2hError('l2h collect is not built yet', { code: 'INTERNAL' });
    });
}
