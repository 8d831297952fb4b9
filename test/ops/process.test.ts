import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { latestGap } from '../../ops/latest-gap.js';
import { collectorProcess, removePidFileIf } from '../../ops/process.js';
import { readStatusFile } from '../../ops/status-source.js';
import { fakeCollector, killFakes } from '../collector/pipeline/pid-file-fakes.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'l2h-proc-'));
});
afterEach(async () => {
  await killFakes();
  await rm(dir, { recursive: true, force: true });
});

async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await new Promise((r) => child.once('exit', r));
  return child.pid!;
}

describe('is the collector running', () => {
  it('no pid file: absent', async () => {
    expect(await collectorProcess(join(dir, 'c.pid'))).toEqual({ state: 'absent' });
  });

  it('a pid file naming a process that is gone: stale, never trusted', async () => {
    const pid = await deadPid();
    const file = join(dir, 'c.pid');
    await writeFile(file, `${pid}\n`);
    expect(await collectorProcess(file)).toEqual({ state: 'stale', pid, why: `process ${pid} is gone` });
    await removePidFileIf(file, pid);
    expect(await collectorProcess(file)).toEqual({ state: 'absent' });
  });

  it('a pid that now belongs to another program: stale (pid reuse)', async () => {
    const file = join(dir, 'c.pid');
    await writeFile(file, `${process.pid}\n`); // this test runner is alive, and is not `l2h collect`
    const p = await collectorProcess(file);
    expect(p.state).toBe('stale');
    expect(p.state === 'stale' && p.why).toMatch(/now belongs to another program/);
  });

  it("a pid now running another collector (other pid file): stale, not this run folder's", async () => {
    const file = join(dir, 'c.pid');
    const other = await fakeCollector(['--symbols', 'MSFT', '--pid-file', join(dir, 'other', 'c.pid')]);
    await writeFile(file, `${other.pid}\n`);
    const p = await collectorProcess(file);
    expect(p.state).toBe('stale');
    expect(p.state === 'stale' && p.why).toMatch(`not a collector using ${file}`);
  });

  it('a pid running a collector without any pid file: stale', async () => {
    const file = join(dir, 'c.pid');
    const other = await fakeCollector(['--symbols', 'MSFT', '--data-dir', join(dir, 'c.pid')]);
    await writeFile(file, `${other.pid}\n`);
    expect(await collectorProcess(file)).toMatchObject({ state: 'stale', pid: other.pid });
  });

  it('a collector using this pid file, given absolute or relative to its directory: running', async () => {
    const file = join(dir, 'c.pid');
    const absolute = await fakeCollector(['--pid-file', file]);
    await writeFile(file, `${absolute.pid}\n`);
    expect(await collectorProcess(file)).toEqual({ state: 'running', pid: absolute.pid });
    const relative = await fakeCollector(['--pid-file=c.pid'], dir);
    await writeFile(file, `${relative.pid}\n`);
    expect(await collectorProcess(file)).toEqual({ state: 'running', pid: relative.pid });
  });

  it('a pid file holding garbage: stale', async () => {
    const file = join(dir, 'c.pid');
    await writeFile(file, 'not a pid');
    expect(await collectorProcess(file)).toMatchObject({ state: 'stale', pid: null });
  });

  it('keeps a pid file that names another pid than the one being removed', async () => {
    const file = join(dir, 'c.pid');
    await writeFile(file, '12345\n');
    await removePidFileIf(file, 999);
    expect(await collectorProcess(file)).not.toEqual({ state: 'absent' });
  });
});

describe('status file and latest gap', () => {
  it('refuses a file that is not a collector status, naming it', async () => {
    const file = join(dir, 'status.json');
    await writeFile(file, '{"schema":"other"}');
    expect(await readStatusFile(file)).toEqual({
      error: `${file} is not a collector status (schema l2h.status/1)`,
    });
    expect(await readStatusFile(join(dir, 'none.json'))).toMatchObject({
      error: expect.stringContaining('cannot read'),
    });
  });

  it('finds the newest gap among the JSONL gap files by its end time', async () => {
    const gap = (symbol: string, end: string, seq: number) =>
      JSON.stringify({
        symbol,
        timestamp: '2024-06-21T09:31:00.000000',
        gap_end: end,
        duration_us: 5,
        reason: 'disconnect',
        channel: 'L2',
        session: 's',
        seq,
      });
    await writeFile(
      join(dir, 'AAPL_gaps_20240621.jsonl'),
      `${gap('AAPL', '2024-06-21T09:31:05.000000', 10)}\n${gap('AAPL', '2024-06-21T10:00:00.000000', 90)}\n`,
    );
    await writeFile(
      join(dir, 'MSFT_gaps_20240621.jsonl'),
      `${gap('MSFT', '2024-06-21T09:45:00.000000', 50)}\n`,
    );
    await writeFile(join(dir, 'MSFT_l2_20240621.jsonl'), '{"symbol":"MSFT"}\n');
    expect(await latestGap(dir)).toMatchObject({
      symbol: 'AAPL',
      seq: 90,
      gapEnd: '2024-06-21T10:00:00.000000',
      file: 'AAPL_gaps_20240621.jsonl',
    });
    expect(await latestGap(join(dir, 'none'))).toBeNull();
  });
});
