// Module hooks that let a child `node` run the TypeScript sources directly (the tests spawn the
// real CLI without depending on a possibly stale dist/): `.js` imports resolve to the `.ts` file
// beside them, and `.ts` files are transpiled with the project's own TypeScript. Transpiled text
// is cached in the temp directory by path, size and mtime, so only the first spawn pays for
// loading TypeScript.
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const cacheDir = join(tmpdir(), 'l2h-ts-hooks-cache');
let ts = null;

export async function resolve(specifier, context, next) {
  try {
    return await next(specifier, context);
  } catch (err) {
    const local = specifier.startsWith('.') || specifier.startsWith('/') || specifier.startsWith('file:');
    if (local && specifier.endsWith('.js')) return next(`${specifier.slice(0, -3)}.ts`, context);
    throw err;
  }
}

export async function load(url, context, next) {
  if (!url.endsWith('.ts')) return next(url, context);
  const path = fileURLToPath(url);
  const s = await stat(path);
  const key = createHash('sha256').update(`${path}\0${s.size}\0${s.mtimeMs}`).digest('hex');
  const cached = join(cacheDir, `${key}.js`);
  try {
    return { format: 'module', source: await readFile(cached, 'utf8'), shortCircuit: true };
  } catch {
    // Not cached yet.
  }
  ts ??= (await import('typescript')).default;
  const out = ts.transpileModule(await readFile(path, 'utf8'), {
    fileName: path,
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, sourceMap: false },
  });
  await mkdir(cacheDir, { recursive: true });
  const tmp = `${cached}.${process.pid}.tmp`;
  await writeFile(tmp, out.outputText);
  await rename(tmp, cached);
  return { format: 'module', source: out.outputText, shortCircuit: true };
}
