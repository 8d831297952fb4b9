import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { opsPaths } from '../../ops/paths.js';
import { stopCollector } from '../../ops/stop.js';
import { fakeCollector, isAlive, killFakes } from '../collector/pipeline/pid-file-fakes.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'l2h-stop-'));
});
afterEach(async () => {
  await killFakes();
  await rm(dir, { recursive: true, force: true });
});

describe('l2h stop', () => {
  it("leaves alone another run's collector that got this run's dead collector's pid", async () => {
    const a = opsPaths(join(dir, 'runA'));
    const b = opsPaths(join(dir, 'runB'));
    await mkdir(a.dir, { recursive: true });
    // Run A's collector died; the kernel handed its pid to run B's collector.
    const other = await fakeCollector(['--symbols', 'MSFT', '--pid-file', b.pidFile]);
    await writeFile(a.pidFile, `${other.pid}\n`);
    const said: string[] = [];
    const exit = await stopCollector({ runDir: a.dir, timeoutS: 5, say: (l) => said.push(l) });
    expect(exit, said.join('\n')).toBe(3);
    expect(said.join('\n')).toContain(`not running: stale pid file ${a.pidFile}`);
    expect(isAlive(other)).toBe(true);
  });
});
