import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { registerReport } from '../../../cli/commands/report.js';
import { exitCodeFor, L2hError } from '../../../common/errors.js';
import { failingRun, metricsSamples, passingRun, writeRunDir } from '../../reports/run-fixtures.js';

let root = '';
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'l2h-cli-report-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** Runs `l2h report …` through commander as main.ts does, capturing stdout. */
async function run(args: string[]): Promise<{ stdout: string; error: unknown; exitCode: number }> {
  const program = new Command().exitOverride();
  registerReport(program);
  let stdout = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  });
  const before = process.exitCode;
  process.exitCode = undefined;
  try {
    await program.parseAsync(['node', 'l2h', 'report', ...args]);
    return { stdout, error: undefined, exitCode: Number(process.exitCode ?? 0) };
  } catch (error) {
    return { stdout, error, exitCode: exitCodeFor(error) };
  } finally {
    spy.mockRestore();
    process.exitCode = before;
  }
}

describe('l2h report', () => {
  it('writes the four report files and prints their paths', async () => {
    const dir = join(root, 'run');
    await writeRunDir(dir, failingRun(), metricsSamples(4));
    const { stdout, error } = await run([dir]);
    expect(error).toBeUndefined();
    const paths = stdout.trim().split('\n');
    expect(paths).toEqual(
      ['index.html', 'report.md', 'report.json', 'junit.xml'].map((f) => join(dir, 'report', f)),
    );
    for (const path of paths) expect((await readFile(path, 'utf8')).length).toBeGreaterThan(100);
  });

  it('writes to --out', async () => {
    const dir = join(root, 'run-out');
    const out = join(root, 'somewhere');
    await writeRunDir(dir, failingRun(), []);
    const { stdout } = await run([dir, '--out', out]);
    expect(stdout.split('\n')[0]).toBe(join(out, 'index.html'));
  });

  it('exits 2 naming the missing directory', async () => {
    const { error } = await run([join(root, 'missing')]);
    expect(error).toBeInstanceOf(L2hError);
    expect(exitCodeFor(error)).toBe(2);
    expect((error as L2hError).describe()).toContain(
      `run directory not found (dir=${join(root, 'missing')})`,
    );
  });

  it('exits as the run did (CONTRACTS §3): 1 for a failed run, 0 for a passing one, files written either way', async () => {
    const failed = join(root, 'exit-fail');
    await writeRunDir(failed, failingRun(), []);
    const fail = await run([failed]);
    expect(fail.error).toBeUndefined();
    expect(fail.stdout).toContain(join(failed, 'report', 'junit.xml'));
    expect(fail.exitCode).toBe(1);
    const passed = join(root, 'exit-pass');
    await writeRunDir(passed, passingRun(), []);
    expect((await run([passed])).exitCode).toBe(0);
  });
});
