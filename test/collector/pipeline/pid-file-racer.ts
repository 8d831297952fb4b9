/**
 * One contender for a pid file, as a child process: `node --import ts-loader.mjs pid-file-racer.ts
 * collect --pid-file F`. Its command line reads like a collector using F, so the other contender
 * sees it as the live owner. It tries once the parent writes a line to stdin (so contenders start
 * together), prints `acquired` or `refused`, and stays alive until stdin closes.
 */
import { acquirePidFile } from '../../../collector/pipeline/pid-file.js';

const file = process.argv[process.argv.indexOf('--pid-file') + 1]!;
process.stdin.once('data', () => {
  acquirePidFile(file).then(
    () => process.stdout.write('acquired\n'),
    (err: unknown) => process.stdout.write(`refused ${err instanceof Error ? err.message : String(err)}\n`),
  );
});
process.stdin.on('end', () => process.exit(0));
process.stdout.write('ready\n');
