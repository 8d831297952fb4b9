import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * The built `l2h` entry point, for starting the simulator and the collector as their own
 * processes. From dist/ it sits beside this module's tree; from the TypeScript sources (tests)
 * it is the build output, which `npm test` makes before the suites run.
 */
export function l2hCliPath(): string {
  const candidates = [
    new URL('../cli/main.js', import.meta.url),
    new URL('../dist/cli/main.js', import.meta.url),
  ];
  for (const c of candidates) {
    const p = fileURLToPath(c);
    if (existsSync(p)) return p;
  }
  return fileURLToPath(candidates[candidates.length - 1]!);
}
