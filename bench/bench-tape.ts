import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { GENERATOR_VERSION, generateTape } from '../fixtures/index.js';

/**
 * A generated market day of `lines` lines for the end-to-end suites, kept in the cache directory
 * between runs (a 10M-line day takes minutes to generate and is the same bytes every time: the
 * generator is deterministic). A `.done` marker beside it says the file is whole.
 */
export async function benchTape(cacheDir: string, lines: number, log: (m: string) => void): Promise<string> {
  const path = join(cacheDir, `bench-day-${lines}-v${GENERATOR_VERSION}.tape`);
  const done = `${path}.done`;
  try {
    const [s, marker] = await Promise.all([stat(path), readFile(done, 'utf8')]);
    if (Number(marker.trim()) === s.size) return path;
  } catch {
    // not cached yet
  }
  await mkdir(cacheDir, { recursive: true });
  const temp = `${path}.${process.pid}.partial.tape`;
  log(`generating a ${lines.toLocaleString('en-US')}-line day into ${path} (once; cached)`);
  const t0 = Date.now();
  try {
    await generateTape({ seed: 'l2h-bench', lines }, temp);
    await rename(temp, path);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
  await writeFile(done, `${(await stat(path)).size}\n`);
  log(`generated in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  return path;
}
