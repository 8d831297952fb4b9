import type { Command } from 'commander';
import { L2hError } from '../../common/errors.js';

// Placeholder until this command is built; it says so instead of pretending.
export function registerVerify(program: Command): void {
  program
    .command('verify')
    .description('(not built yet)')
    .allowUnknownOption()
    .action(() => {
      throw new L2hError('l2h verify is not built yet', { code: 'INTERNAL' });
    });
}
