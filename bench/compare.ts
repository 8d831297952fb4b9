#!/usr/bin/env node
import { runCompare } from './compare-cli.js';

runCompare(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
}).then((code) => {
  process.exitCode = code;
});
