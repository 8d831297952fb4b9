/**
 * The tape a scenario replays: a synthetic day of the size asked for, generated once per seed
 * and size into the cache directory (`L2H_CACHE_DIR`, else `.cache/`) and reused after that.
 * Generated under a private name and renamed into place, so two runs at once never see half a
 * tape.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { defaultCacheDir } from '../../fixtures/default-day.js';
import { generateTape } from '../../fixtures/generate/generate.js';
import { GENERATOR_VERSION } from '../../fixtures/generate/options.js';

export async function scenarioTape(seed: number, lines: number): Promise<string> {
  const dir = defaultCacheDir();
  const path = join(dir, `scenario-${seed}-${lines}-v${GENERATOR_VERSION}.tape.gz`);
  const exists = await stat(path).then(
    (s) => s.size > 0,
    () => false,
  );
  if (exists) return path;
  await mkdir(dir, { recursive: true });
  const temp = join(
    dir,
    `.scenario-${seed}-${lines}-${process.pid}-${randomBytes(4).toString('hex')}.tape.gz`,
  );
  try {
    await generateTape({ seed, lines }, temp);
    await rename(temp, path);
  } finally {
    await rm(temp, { force: true });
  }
  return path;
}
