import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { figure } from '../../bench/figure.js';
import { readResults } from '../../bench/results.js';
import { runBench } from '../../bench/runner.js';
import type { BenchContext, BenchSuite } from '../../bench/suite.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'l2h-bench-runner-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const seen: BenchContext[] = [];
const tiny: BenchSuite = {
  name: 'tiny',
  description: 'a suite that measures nothing real',
  async run(context) {
    seen.push(context);
    return [
      figure({
        name: 'sum',
        value: context.quick ? 2 : 1,
        unit: 'ops/s',
        baseline: { name: 'one', value: 1 },
        target: { op: '>=', value: 2 },
      }),
    ];
  },
};
const broken: BenchSuite = {
  name: 'broken',
  description: 'throws',
  async run() {
    throw new Error('service down');
  },
};

function options(suites: readonly BenchSuite[], quick: boolean) {
  return {
    suites,
    quick,
    outDir: join(dir, 'results'),
    repoRoot: dir,
    command: 'npm run bench -- --quick',
    cpuProfDir: null,
    cacheDir: join(dir, 'cache'),
    log: () => {},
    now: () => new Date('2026-11-25T12:00:00Z'),
  };
}

describe('bench runner', () => {
  it('writes a results file with the machine, load averages, commit and every figure', async () => {
    const { file } = await runBench(options([tiny, broken], true));
    expect(file).toBe(join(dir, 'results', '2026-11-25-nocommit.json'));
    const results = await readResults(file);
    expect(results.schema).toBe('l2h.bench/1');
    expect(results.commit).toBe('nocommit');
    expect(results.machine.cpus).toBeGreaterThan(0);
    expect(results.machine.node).toBe(process.version);
    expect(results.machine.memoryMb).toBeGreaterThan(0);
    expect(results.loadAverage.start).toHaveLength(3);
    expect(results.loadAverage.end).toHaveLength(3);
    expect(results.suites['tiny']).toMatchObject({
      quick: true,
      figures: [{ name: 'sum', value: 2, ratio: 2, pass: true }],
    });
    // A failing suite is recorded, not lost, and does not stop the others.
    expect(results.suites['broken']).toMatchObject({ figures: [], error: 'service down' });
    expect(seen.at(-1)).toMatchObject({ quick: true, cpuProfDir: null, cacheDir: join(dir, 'cache') });
  });

  it('merges suites of the same day and commit, the newer run replacing a suite it ran again', async () => {
    await runBench(options([tiny, broken], true));
    const { file } = await runBench(options([tiny], false));
    const results = JSON.parse(await readFile(file, 'utf8')) as Awaited<ReturnType<typeof readResults>>;
    expect(Object.keys(results.suites).sort()).toEqual(['broken', 'tiny']);
    expect(results.suites['tiny']!.figures[0]!.value).toBe(1);
    expect(results.suites['tiny']!.quick).toBe(false);
  });

  it('rejects a file that is not a results file, saying which', async () => {
    const { writeFile } = await import('node:fs/promises');
    const bad = join(dir, 'bad.json');
    await writeFile(bad, '{"hello":1}');
    await expect(readResults(bad)).rejects.toThrow(/no "suites" object/);
    await expect(readResults(join(dir, 'missing.json'))).rejects.toThrow(/cannot read/);
  });
});

describe('bench runner: provenance of merged suites', () => {
  it('keeps, per suite, whether its tree was modified, and ORs it into the file', async () => {
    const { execFileSync } = await import('node:child_process');
    const { writeFile } = await import('node:fs/promises');
    const git = (...args: string[]) =>
      execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], {
        cwd: dir,
        stdio: 'ignore',
      });
    git('init', '-q');
    await writeFile(join(dir, 'f'), 'a\n');
    // The results directory inside the repo would itself dirty the tree.
    await writeFile(join(dir, '.gitignore'), 'results/\ncache/\n');
    git('add', '.');
    git('commit', '-q', '-m', 'x');
    const decode: BenchSuite = { ...tiny, name: 'decode' };
    const tape: BenchSuite = { ...tiny, name: 'tape' };
    await writeFile(join(dir, 'f'), 'experimental change\n');
    await runBench({ ...options([decode], false), command: 'npm run bench -- --suite decode' });
    await writeFile(join(dir, 'f'), 'a\n');
    const { file, ran } = await runBench({
      ...options([tape], false),
      command: 'npm run bench -- --suite tape',
    });
    const merged = await readResults(file);
    expect(merged.dirty).toBe(true);
    expect(merged.command).toBe('npm run bench -- --suite tape');
    expect(merged.suites['decode']).toMatchObject({
      dirty: true,
      command: 'npm run bench -- --suite decode',
    });
    expect(merged.suites['tape']).toMatchObject({ dirty: false, command: 'npm run bench -- --suite tape' });
    expect(merged.suites['decode']!.commit).toBe(merged.commit);
    expect(merged.suites['decode']!.machine?.node).toBe(process.version);
    expect(ran['tape']!.dirty).toBe(false);
  });

  it('reads a committed results file of the old layout (no per-suite provenance)', async () => {
    const { readdir } = await import('node:fs/promises');
    const { suiteProvenance } = await import('../../bench/results.js');
    const committed = new URL('../../bench/results/', import.meta.url);
    for (const name of (await readdir(committed)).filter((n) => n.endsWith('.json'))) {
      const results = await readResults(new URL(name, committed).pathname);
      for (const suite of Object.keys(results.suites)) {
        expect(suiteProvenance(results, suite)).toEqual({
          commit: results.commit,
          dirty: results.dirty,
          command: results.command,
          machine: results.machine,
        });
      }
    }
  });
});
