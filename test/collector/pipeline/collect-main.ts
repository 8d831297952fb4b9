/**
 * `l2h collect` as a child process for the tests, run from the TypeScript sources through
 * ts-loader.mjs. It is cli/main.ts cut down to the one command: loading every other command's
 * modules would cost the tests seconds per spawn.
 */
import { Command, CommanderError } from 'commander';
import { registerCollect } from '../../../cli/commands/collect.js';
import { errorMessage, exitCodeFor } from '../../../common/errors.js';

const program = new Command().name('l2h').exitOverride();
registerCollect(program);
try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    process.exitCode = err.exitCode === 0 ? 0 : 2;
  } else {
    process.stderr.write(`l2h: ${errorMessage(err)}\n`);
    process.exitCode = exitCodeFor(err);
  }
}
