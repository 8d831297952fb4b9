import { readFile } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join } from 'node:path';
import { inputError } from '../../common/errors.js';
import { sharedDir } from '../../common/shared-dir.js';
import type { GenerateOptions } from '../../fixtures/index.js';

/**
 * A regression fixture: a market day described by how to make its tape (generated from a seed,
 * imported from data read in place, or a tape file), with its golden results beside it
 * (`<name>.golden.json`). Tapes are made on demand into the cache, never committed.
 */
export type FixtureSource =
  | { readonly generate: GenerateOptions }
  | { readonly lobster: { readonly message: string; readonly orderbook: string } }
  | { readonly tape: string };

export interface FixtureSpec {
  readonly name: string;
  readonly description: string;
  readonly source: FixtureSource;
  /** The spec file; paths in it are relative to its folder. */
  readonly file: string;
  readonly goldenFile: string;
}

export function expandPath(path: string, base: string): string {
  const p = path.replaceAll('${L2H_SHARED_DIR}', sharedDir());
  return isAbsolute(p) ? p : join(base, p);
}

export async function readFixtureSpec(file: string): Promise<FixtureSpec> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    throw inputError('cannot read the fixture spec', { file, error: String(err) });
  }
  const o = (raw ?? {}) as Record<string, unknown>;
  const source = o['source'] as Record<string, unknown> | undefined;
  const ok =
    typeof o['name'] === 'string' &&
    typeof o['description'] === 'string' &&
    source !== undefined &&
    ('generate' in source || 'lobster' in source || 'tape' in source);
  if (!ok) {
    throw inputError(
      'a fixture spec needs "name", "description" and "source" with one of generate, lobster, tape',
      { file },
    );
  }
  return {
    name: o['name'] as string,
    description: o['description'] as string,
    source: source as unknown as FixtureSource,
    file,
    goldenFile: join(dirname(file), `${basename(file, '.fixture.json')}.golden.json`),
  };
}
