import { copyFile, mkdtemp, rm, stat, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../../common/clock.js';
import { silentLogger } from '../../../common/logger.js';
import { ensureMockLauncher } from '../../../services/kafka/launcher-build.js';
import { resolveKafkaOptions } from '../../../services/kafka/options.js';

const scratch = await mkdtemp(join(tmpdir(), 'l2h-launcher-build-'));
afterAll(() => rm(scratch, { recursive: true, force: true }));
const ctx = { logger: silentLogger, env: process.env, clock: systemClock };

describe('ensureMockLauncher with gcc and librdkafka-dev', () => {
  it('compiles when the binary is missing, reuses it while fresh, rebuilds when the source is newer', async () => {
    const source = join(scratch, 'mock-launcher.c');
    await copyFile(resolveKafkaOptions({}, {}).launcherSource, source);
    const build = {
      launcher: join(scratch, 'bin', 'mock-launcher'),
      launcherSource: source,
      compiler: 'gcc',
    };

    expect(await ensureMockLauncher(build, ctx)).toBe(build.launcher);
    const first = (await stat(build.launcher)).mtimeMs;

    await ensureMockLauncher(build, ctx);
    expect((await stat(build.launcher)).mtimeMs).toBe(first);

    // Age the binary below its source, as a `git pull` that changes the source would.
    const older = new Date((await stat(source)).mtimeMs - 60_000);
    await utimes(build.launcher, older, older);
    await ensureMockLauncher(build, ctx);
    expect((await stat(build.launcher)).mtimeMs).toBeGreaterThanOrEqual((await stat(source)).mtimeMs);
  });
});
