import type { Command } from 'commander';
import { L2hError } from '../../common/errors.js';

// Placeholder until this command is built; it says so instead of pretending.
export function registerSelftest(program: Command): void {
  program
    .command('selftest')
    .description('(not built yet)')
    .allowUnknownOption()
    .action(() => {
      throw new L2hError('l2h selftest is not built yet', { code: 'INTERNAL' });
    });
}
