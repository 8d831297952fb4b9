import { createHash } from 'node:crypto';
import { access, mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { defaultCacheDir, generateTape, importLobster } from '../../fixtures/index.js';
import { expandPath, type FixtureSpec } from './fixture-spec.js';

/** The fixture's tape, made once into the cache (named by a hash of its spec) and reused. */
export async function materializeFixture(spec: FixtureSpec, cacheDir = defaultCacheDir()): Promise<string> {
  const base = dirname(spec.file);
  const s = spec.source;
  if ('tape' in s) return expandPath(s.tape, base);
  const key = createHash('sha256').update(JSON.stringify(s)).digest('hex').slice(0, 12);
  const out = join(cacheDir, 'fixtures', `${spec.name}-${key}.tape`);
  try {
    await access(out);
    return out;
  } catch {
    // not made yet
  }
  await mkdir(dirname(out), { recursive: true });
  if ('generate' in s) await generateTape(s.generate, out);
  else
    await importLobster({
      messageFile: expandPath(s.lobster.message, base),
      orderbookFile: expandPath(s.lobster.orderbook, base),
      out,
    });
  return out;
}
