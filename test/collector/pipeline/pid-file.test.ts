import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { acquirePidFile } from '../../../collector/pipeline/pid-file.js';
import { tempDir } from './helpers.js';
import { fakeCollector, killFakes } from './pid-file-fakes.js';

const here = fileURLToPath(new URL('.', import.meta.url));

/** Contenders (pid-file-racer.ts) that stay alive while they hold the file. */
function contender(file: string): { child: ChildProcess; lines: AsyncIterator<string> } {
  const child = spawn(
    process.execPath,
    ['--import', join(here, 'ts-loader.mjs'), join(here, 'pid-file-racer.ts'), 'collect', '--pid-file', file],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  return { child, lines: createInterface({ input: child.stdout! })[Symbol.asyncIterator]() };
}

async function nextLine(lines: AsyncIterator<string>): Promise<string> {
  const r = await lines.next();
  return r.done === true ? '(exited)' : r.value;
}

let dir: { path: string; cleanup: () => Promise<void> };
beforeEach(async () => {
  dir = await tempDir('pidfile');
});
afterEach(async () => {
  await killFakes();
  await dir.cleanup();
});

describe('acquirePidFile', () => {
  it('replaces a stale file whose pid now belongs to a live process that is not a collector', async () => {
    const file = join(dir.path, 'collector.pid');
    // Any live program the kernel gave the dead collector's pid to.
    const other = spawn(process.execPath, ['-e', 'setInterval(() => {}, 60_000)'], { stdio: 'ignore' });
    try {
      await once(other, 'spawn');
      await writeFile(file, `${other.pid}\n`);
      const pid = await acquirePidFile(file);
      expect(pid.replacedStale).toBe(other.pid);
      expect((await readFile(file, 'utf8')).trim()).toBe(String(process.pid));
      await pid.release();
    } finally {
      other.kill('SIGKILL');
    }
  });

  it('replaces a stale file whose pid is now a collector using another pid file', async () => {
    const file = join(dir.path, 'collector.pid');
    const other = await fakeCollector(['--pid-file', join(dir.path, 'other', 'collector.pid')]);
    await writeFile(file, `${other.pid}\n`);
    const pid = await acquirePidFile(file);
    expect(pid.replacedStale).toBe(other.pid);
    await pid.release();
  });

  it('refuses while the pid is a live collector using this very pid file', async () => {
    const file = join(dir.path, 'collector.pid');
    const owner = await fakeCollector(['--symbols', 'AAPL', '--pid-file', file]);
    await writeFile(file, `${owner.pid}\n`);
    await expect(acquirePidFile(file)).rejects.toThrow(
      `another collector is running: ${file} names live process ${owner.pid}`,
    );
    expect((await readFile(file, 'utf8')).trim()).toBe(String(owner.pid));
  });

  it('knows its pid file when the collector named it relative to its own working directory', async () => {
    const file = join(dir.path, 'collector.pid');
    const owner = await fakeCollector(['--pid-file=collector.pid'], dir.path);
    await writeFile(file, `${owner.pid}\n`);
    await expect(acquirePidFile(file)).rejects.toThrow(/another collector is running/);
  });

  it('knows its pid file when the run folder is named through a symlink', async () => {
    await mkdir(join(dir.path, 'real'));
    await symlink(join(dir.path, 'real'), join(dir.path, 'link'));
    const owner = await fakeCollector(['--pid-file', join(dir.path, 'real', 'collector.pid')]);
    await writeFile(join(dir.path, 'real', 'collector.pid'), `${owner.pid}\n`);
    await expect(acquirePidFile(join(dir.path, 'link', 'collector.pid'))).rejects.toThrow(
      /another collector is running/,
    );
    expect((await readFile(join(dir.path, 'real', 'collector.pid'), 'utf8')).trim()).toBe(String(owner.pid));
  });

  it('lets exactly one of two collectors started together claim the file', async () => {
    const file = join(dir.path, 'collector.pid');
    for (let trial = 0; trial < 10; trial++) {
      await rm(file, { force: true });
      const pair = [contender(file), contender(file)];
      try {
        for (const c of pair) expect(await nextLine(c.lines)).toBe('ready');
        for (const c of pair) c.child.stdin!.write('go\n');
        const outcomes = await Promise.all(pair.map((c) => nextLine(c.lines)));
        expect(
          outcomes.filter((o) => o === 'acquired'),
          `trial ${trial}: ${outcomes.join(' | ')}`,
        ).toHaveLength(1);
        const winner = pair[outcomes.indexOf('acquired')]!;
        expect((await readFile(file, 'utf8')).trim()).toBe(String(winner.child.pid));
      } finally {
        await Promise.all(
          pair.map(async (c) => {
            const exited = c.child.exitCode === null ? once(c.child, 'exit') : null;
            c.child.stdin!.end();
            await exited;
          }),
        );
      }
    }
  });
});
