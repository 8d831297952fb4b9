import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerVerify } from '../../../cli/commands/verify.js';
import { exitCodeFor, L2hError } from '../../../common/errors.js';
import { passingRun } from '../../reports/run-fixtures.js';

let root = '';
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'l2h-cli-verify-input-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function verifyError(dir: string): Promise<unknown> {
  const program = new Command().exitOverride();
  registerVerify(program);
  try {
    await program.parseAsync(['node', 'l2h', 'verify', dir]);
  } catch (err) {
    return err;
  }
  throw new Error('expected l2h verify to refuse the run directory');
}

async function runDir(name: string, results: string, config: string): Promise<string> {
  const dir = join(root, name);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'results.json'), results);
  await writeFile(join(dir, 'config.json'), config);
  // Stats that read, so only results.json or config.json can be what is wrong.
  await mkdir(join(dir, 'simulator'), { recursive: true });
  await writeFile(join(dir, 'simulator', 'stats.json'), '{"connections":[]}');
  return dir;
}

describe('l2h verify on malformed inputs', () => {
  it('refuses a results.json that is not valid results as bad input (exit 2), naming the file and field', async () => {
    const dir = await runDir('malformed', '{"schema":"l2h.results/1"}\n', '{"depth":10}');
    const err = await verifyError(dir);
    expect(err).toBeInstanceOf(L2hError);
    expect(exitCodeFor(err)).toBe(2);
    expect((err as L2hError).describe()).toContain(`${join(dir, 'results.json')}: verdict is missing`);
  });

  it('refuses a config.json that is not an object, or whose depth is not a whole number ≥ 1', async () => {
    for (const [name, config, problem] of [
      ['config-null', 'null', 'must be an object'],
      ['config-depth', '{"depth":"ten"}', 'depth must be a whole number ≥ 1'],
    ] as const) {
      const dir = await runDir(name, JSON.stringify(passingRun()), config);
      const err = await verifyError(dir);
      expect(err).toBeInstanceOf(L2hError);
      expect(exitCodeFor(err)).toBe(2);
      expect((err as L2hError).describe()).toContain(problem);
      expect((err as L2hError).describe()).toContain(join(dir, 'config.json'));
    }
  });
});
