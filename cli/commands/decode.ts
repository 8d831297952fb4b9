import type { Command } from 'commander';
import { L2hError } from '../../common/errors.js';

// Placeholder until this command is built; it says so instead of pretending.
export function registerDecode(program: Command): void {
  program
    .command('decode')
    .description('(not built yet)')
    .allowUnknownOption()
    .action(() => {
      throw new L2hError('l2h decode is not built yet', { code: 'INTERNAL' });
    });
}
