import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { SHARED_ENV, sharedDir } from '../../../common/shared-dir.js';

/**
 * Where the shared protocol research lives: `L2H_SHARED_DIR`, or `../shared` beside the repo
 * root. Read in place, never copied into the repository.
 */
export { SHARED_ENV, sharedDir } from '../../../common/shared-dir.js';

export function sharedFile(relative: string): string {
  return resolve(sharedDir(), relative);
}

/** The objects of a JSONL file, or null (with the path) when the file is absent. */
export function readJsonl(path: string): { readonly records: unknown[] } | null {
  if (!existsSync(path)) return null;
  const text = readFileSync(path, 'utf8');
  return {
    records: text
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l, i) => {
        try {
          return JSON.parse(l) as unknown;
        } catch (err) {
          throw new Error(`${path}:${i + 1} is not JSON: ${(err as Error).message}`);
        }
      }),
  };
}

export function missingMessage(path: string): string {
  return `${path} not found: the protocol conformance data is read in place from the shared directory; set ${SHARED_ENV} to the directory that holds protocol/vectors.jsonl and protocol/transcripts.jsonl`;
}
