import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The environment variable that says where the shared research and data live. */
export const SHARED_ENV = 'L2H_SHARED_DIR';

/** The repository root: the nearest folder above this module holding our package.json. */
function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(resolve(dir, 'package.json')) && existsSync(resolve(dir, 'collector'))) return dir;
    const up = dirname(dir);
    if (up === dir) return process.cwd();
    dir = up;
  }
}

/**
 * Where the shared protocol research and market data live: `L2H_SHARED_DIR`, else `../shared`
 * beside the repository. They are read in place, never copied into the repository.
 */
export function sharedDir(): string {
  return process.env[SHARED_ENV] ?? resolve(repoRoot(), '..', 'shared');
}
