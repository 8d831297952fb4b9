#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { errorMessage, exitCodeFor, L2hError } from '../common/errors.js';
import { registerCollect } from './commands/collect.js';
import { registerConsume } from './commands/consume.js';
import { registerDecode } from './commands/decode.js';
import { registerGenerate } from './commands/generate.js';
import { registerImport } from './commands/import.js';
import { registerLoad } from './commands/load.js';
import { registerOps } from './commands/ops.js';
import { registerRegress } from './commands/regress.js';
import { registerReplay } from './commands/replay.js';
import { registerReport } from './commands/report.js';
import { registerScenarios } from './commands/scenarios.js';
import { registerSelftest } from './commands/selftest.js';
import { registerSimulate } from './commands/simulate.js';
import { registerVerify } from './commands/verify.js';
import { packageVersion } from './version.js';

// `l2h … | head` closes our stdout early: that is the reader's choice, not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

const program = new Command();
program
  .name('l2h')
  .description(
    'l2-harness: replay IQFeed market days through a real collector and prove nothing was lost.\n' +
      'Start with `l2h replay` (replays the bundled day, verifies it, writes a report).',
  )
  .version(packageVersion(), '-V, --version')
  .showHelpAfterError('(run with --help for usage)')
  .exitOverride();

for (const register of [
  registerReplay,
  registerVerify,
  registerReport,
  registerSelftest,
  registerScenarios,
  registerRegress,
  registerLoad,
  registerSimulate,
  registerCollect,
  registerOps,
  registerConsume,
  registerGenerate,
  registerImport,
  registerDecode,
]) {
  register(program);
}

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    // Commander already printed help or the usage problem.
    process.exitCode = err.exitCode === 0 ? 0 : 2;
  } else {
    process.stderr.write(`l2h: ${errorMessage(err)}\n`);
    if (!(err instanceof L2hError) && err instanceof Error && err.stack) {
      process.stderr.write(`${err.stack}\n`);
    }
    process.exitCode = exitCodeFor(err);
  }
}
