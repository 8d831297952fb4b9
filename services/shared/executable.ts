import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { delimiter, isAbsolute, join } from 'node:path';
import type { Env } from './handle.js';

async function isExecutable(path: string): Promise<boolean> {
  try {
    await access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * The first executable among `candidates`: a path (absolute or with a slash) is checked as is,
 * a bare name is looked up on PATH. Null when none is there.
 */
export async function findExecutable(candidates: readonly string[], env: Env): Promise<string | null> {
  const dirs = (env.PATH ?? '').split(delimiter).filter(Boolean);
  for (const candidate of candidates) {
    if (isAbsolute(candidate) || candidate.includes('/')) {
      if (await isExecutable(candidate)) return candidate;
      continue;
    }
    for (const dir of dirs) {
      const path = join(dir, candidate);
      if (await isExecutable(path)) return path;
    }
  }
  return null;
}
