import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { registerOps } from '../../../cli/commands/ops.js';
import { exitCodeFor, L2hError } from '../../../common/errors.js';

let root = '';
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'l2h-cli-logs-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function logs(...args: string[]): Promise<{ stdout: string; error: unknown }> {
  const program = new Command().exitOverride();
  registerOps(program);
  let stdout = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  });
  try {
    await program.parseAsync(['node', 'l2h', 'logs', ...args]);
    return { stdout, error: undefined };
  } catch (error) {
    return { stdout, error };
  } finally {
    spy.mockRestore();
  }
}

describe('l2h logs', () => {
  it('says the run folder is missing and exits 2, even with -f', async () => {
    const dir = join(root, 'no-such-run');
    for (const extra of [[], ['-f']]) {
      const { error } = await logs('--run-dir', dir, ...extra);
      expect(error).toBeInstanceOf(L2hError);
      expect(exitCodeFor(error)).toBe(2);
      expect((error as L2hError).describe()).toContain(`run folder not found (dir=${dir})`);
    }
  });

  it('says which log file is missing from an existing run folder and exits 2', async () => {
    for (const [flag, file] of [
      [[], 'collector.log'],
      [['--out'], 'collector.out'],
    ] as const) {
      const { error } = await logs('--run-dir', root, ...flag);
      expect(error).toBeInstanceOf(L2hError);
      expect(exitCodeFor(error)).toBe(2);
      expect((error as L2hError).describe()).toContain(`file=${join(root, file)}`);
    }
  });

  it('prints the last lines when the log is there', async () => {
    await writeFile(join(root, 'collector.log'), 'one\ntwo\nthree\n');
    const { stdout, error } = await logs('--run-dir', root, '-n', '2', '--json');
    expect(error).toBeUndefined();
    expect(stdout).toBe('two\nthree\n');
  });
});
