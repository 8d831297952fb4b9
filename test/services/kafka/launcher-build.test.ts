import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../../common/clock.js';
import { silentLogger } from '../../../common/logger.js';
import { classifyCompileFailure, ensureMockLauncher } from '../../../services/kafka/launcher-build.js';

const scratch = await mkdtemp(join(tmpdir(), 'l2h-launcher-unit-'));
afterAll(() => rm(scratch, { recursive: true, force: true }));
const ctx = { logger: silentLogger, env: { PATH: '/nonexistent' }, clock: systemClock };

describe('classifyCompileFailure', () => {
  it('names librdkafka-dev when its headers are missing', () => {
    const out = 'mock-launcher.c:31:10: fatal error: librdkafka/rdkafka.h: No such file or directory';
    expect(classifyCompileFailure(out).packages).toEqual(['librdkafka-dev']);
  });

  it('names librdkafka-dev when the library is missing at link time', () => {
    const out = '/usr/bin/ld: cannot find -lrdkafka: No such file or directory';
    expect(classifyCompileFailure(out).packages).toEqual(['librdkafka-dev']);
  });

  it('passes any other compiler error through, with no package to blame', () => {
    const r = classifyCompileFailure('mock-launcher.c:10: error: expected ; before }');
    expect(r.packages).toEqual([]);
    expect(r.reason).toContain('expected ; before }');
  });
});

describe('ensureMockLauncher', () => {
  it('without a compiler and without a binary, names gcc and librdkafka-dev', async () => {
    const source = join(scratch, 'src.c');
    await writeFile(source, 'int main(void) { return 0; }\n');
    const launcher = join(scratch, 'bin', 'mock-launcher');
    await expect(
      ensureMockLauncher({ launcher, launcherSource: source, compiler: 'gcc' }, ctx),
    ).rejects.toMatchObject({
      code: 'SERVICE_UNAVAILABLE',
      message: expect.stringContaining('apt-get install librdkafka-dev gcc'),
    });
  });

  it('uses an existing binary newer than its source without compiling', async () => {
    const source = join(scratch, 'old.c');
    await writeFile(source, 'int main(void) { return 0; }\n');
    const launcher = join(scratch, 'prebuilt');
    await writeFile(launcher, '#!/bin/sh\n');
    // The compiler does not exist: reaching for it would fail.
    await expect(
      ensureMockLauncher({ launcher, launcherSource: source, compiler: '/nonexistent/gcc' }, ctx),
    ).resolves.toBe(launcher);
  });

  it('fails INTERNAL when the source itself is missing', async () => {
    await expect(
      ensureMockLauncher(
        { launcher: join(scratch, 'x'), launcherSource: join(scratch, 'none.c'), compiler: 'gcc' },
        ctx,
      ),
    ).rejects.toMatchObject({ code: 'INTERNAL' });
  });
});
