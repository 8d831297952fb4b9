import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseFamilies, parseMonitor } from '../../../cli/commands/collect.js';
import { L2hError } from '../../../common/errors.js';
import { spawnCollect } from '../../collector/pipeline/child.js';
import { closedPort, tempDir, until } from '../../collector/pipeline/helpers.js';

let dir = { path: '', cleanup: async () => {} };
beforeAll(async () => {
  dir = await tempDir('cli-collect');
});
afterAll(async () => {
  await dir.cleanup();
});

async function baseArgs(name: string): Promise<string[]> {
  const port = String(await closedPort());
  return [
    '--symbols',
    'AAPL',
    '--port-l1',
    port,
    '--port-l2',
    port,
    '--port-admin',
    port,
    '--data-dir',
    join(dir.path, name, 'data'),
    '--journal-dir',
    join(dir.path, name, 'journal'),
    '--log-level',
    'warn',
  ];
}

async function fails(args: string[]): Promise<{ code: number | null; stderr: string }> {
  const c = spawnCollect(args);
  const end = await c.exit;
  return { code: end.code, stderr: c.stderr() };
}

describe('l2h collect flags', () => {
  it('parses --l2 as one family, per symbol, or a default with overrides', () => {
    expect(parseFamilies('mbo', ['AAPL'])).toBe('mbo');
    expect(parseFamilies('AAPL=mbo,IBM=mm', ['AAPL', 'IBM', 'MSFT'])).toEqual({
      AAPL: 'mbo',
      IBM: 'mm',
      MSFT: 'mbp',
    });
    expect(parseFamilies('mbo,ibm=mm', ['AAPL', 'IBM'])).toEqual({ AAPL: 'mbo', IBM: 'mm' });
    expect(() => parseFamilies('xyz', ['AAPL'])).toThrow(/unknown family "xyz".*accepted mbp, mbo, mm/);
    expect(() => parseFamilies('TSLA=mbo', ['AAPL'])).toThrow(/not in --symbols/);
  });

  it('parses --monitor HOST:PORT', () => {
    expect(parseMonitor('127.0.0.1:8090', undefined)).toEqual({ host: '127.0.0.1', port: 8090 });
    expect(parseMonitor(':0', 't0k3n-t0k3n-t0k3n')).toEqual({
      host: '127.0.0.1',
      port: 0,
      token: 't0k3n-t0k3n-t0k3n',
    });
    expect(parseMonitor('[::1]:9000', undefined)).toEqual({ host: '::1', port: 9000 });
    expect(() => parseMonitor('localhost', undefined)).toThrow(L2hError);
  });

  it('exits 2 naming the problem for bad flags', async () => {
    const base = await baseArgs('flags');
    const unknownSink = await fails([...base, '--sinks', 'jsonl,foo']);
    expect(unknownSink.code).toBe(2);
    expect(unknownSink.stderr).toMatch(/unknown sink "foo".*accepted jsonl/);
    const depth = await fails([...base, '--depth', '0']);
    expect(depth.code).toBe(2);
    expect(depth.stderr).toMatch(/--depth must be a positive whole number/);
    const port = await fails([...base, '--port-l2', '70000']);
    expect(port.code).toBe(2);
    expect(port.stderr).toMatch(/--port-l2 must be a port/);
    const statusEvery = await fails([...base, '--status-every-ms', '0.5']);
    expect(statusEvery.code).toBe(2);
    expect(statusEvery.stderr).toMatch(/--status-every-ms must be a positive whole number/);
    const noSymbols = await fails(['--data-dir', join(dir.path, 'x')]);
    expect(noSymbols.code).toBe(2);
    expect(noSymbols.stderr).toMatch(/--symbols/);
  });

  it('exits 2 naming the directory when the data or journal directory cannot be used', async () => {
    const file = join(dir.path, 'a-file');
    await writeFile(file, 'not a directory');
    const base = await baseArgs('dirs');
    const data = await fails([...base, '--data-dir', join(file, 'data')]);
    expect(data.code).toBe(2);
    expect(data.stderr).toContain(join(file, 'data'));
    const journal = await fails([...base, '--journal-dir', join(file, 'journal')]);
    expect(journal.code).toBe(2);
    expect(journal.stderr).toContain(join(file, 'journal'));
  });
});

describe('l2h collect running headless', () => {
  it('replaces a stale pid file, refuses to start while a collector holds it, stops on SIGTERM with exit 0', async () => {
    const base = await baseArgs('pid');
    const pidFile = join(dir.path, 'collector.pid');
    const statusFile = join(dir.path, 'status.json');
    const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {
      encoding: 'utf8',
    });
    await writeFile(pidFile, `${gone.stdout}\n`);
    const c = spawnCollect([...base, '--pid-file', pidFile, '--status-file', statusFile]);
    const ready = await c.ready;
    expect((await readFile(pidFile, 'utf8')).trim()).toBe(String(ready.pid));
    expect(c.stderr()).toContain('replaced a stale pid file');

    // Only a live collector using this pid file holds it (a pid alone may have been reused).
    const refused = await fails([...base, '--pid-file', pidFile]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(new RegExp(`live process ${ready.pid}`));
    expect((await readFile(pidFile, 'utf8')).trim()).toBe(String(ready.pid));

    await until(() => c.stdout.length > 0, 'ready');
    // The status file is rewritten every second.
    await until(() => {
      try {
        return (
          (JSON.parse(readFileSync(statusFile, 'utf8')) as { schema?: string }).schema === 'l2h.status/1'
        );
      } catch {
        return false;
      }
    }, 'the status file');
    c.child.kill('SIGTERM');
    const end = await c.exit;
    expect(end.code, c.stderr()).toBe(0);
    const stopped = JSON.parse(c.stdout.at(-1)!) as {
      event: string;
      sinksDrained: boolean;
      error: string | null;
    };
    expect(stopped).toMatchObject({ event: 'stopped', sinksDrained: true, error: null });
    // Our pid file is removed at exit; the final status says so.
    await expect(stat(pidFile)).rejects.toThrow();
    const status = JSON.parse(await readFile(statusFile, 'utf8')) as { stopping: boolean; session: string };
    expect(status).toMatchObject({ stopping: true, session: ready.session });
  });
});
