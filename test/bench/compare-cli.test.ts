import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HELP, runCompare } from '../../bench/compare-cli.js';
import type { BenchFigure } from '../../bench/figure.js';
import type { BenchResults } from '../../bench/results.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'l2h-bench-compare-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const load = [0, 0, 0] as const;
function file(suites: Record<string, { figures: readonly BenchFigure[]; error?: string }>): BenchResults {
  return {
    schema: 'l2h.bench/1',
    date: '2026-12-07',
    commit: 'abc',
    dirty: false,
    command: 'x',
    machine: {
      hostname: 'h',
      os: 'linux',
      platform: 'linux x64',
      cpus: 2,
      cpuModel: 'x',
      memoryMb: 4000,
      node: 'v20',
    },
    loadAverage: { start: load, end: load },
    durationS: 1,
    suites: Object.fromEntries(
      Object.entries(suites).map(([k, s]) => [
        k,
        { ranAt: 'x', durationS: 1, quick: true, loadAverage: { start: load, end: load }, ...s },
      ]),
    ),
  };
}

async function run(before: BenchResults, after: BenchResults, ...flags: string[]) {
  const a = join(dir, 'before.json');
  const b = join(dir, 'after.json');
  await writeFile(a, JSON.stringify(before));
  await writeFile(b, JSON.stringify(after));
  let stdout = '';
  let stderr = '';
  const code = await runCompare([a, b, ...flags], {
    stdout: (t) => {
      stdout += t;
    },
    stderr: (t) => {
      stderr += t;
    },
  });
  return { code, stdout, stderr };
}

const e2e = (value: number): BenchFigure => ({
  name: 'end-to-end replay, JSONL only (--speed max)',
  value,
  unit: 'msgs/s',
  target: { op: '>=', value: 250_000 },
});
const p99 = (value: number): BenchFigure => ({
  name: 'feed→journal p99 at 10k msgs/s',
  value,
  unit: 'ms',
  better: 'lower',
});

describe('bench:compare', () => {
  it('fails when a BEFORE suite failed, since none of its figures was compared', async () => {
    const r = await run(
      file({ e2e: { figures: [], error: 'simulator did not start' } }),
      file({ e2e: { figures: [e2e(1000)] } }),
    );
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/e2e.*simulator did not start/);
  });

  it('passes a failed BEFORE suite with --allow-missing, still listing it', async () => {
    const r = await run(
      file({ e2e: { figures: [], error: 'simulator did not start' } }),
      file({ e2e: { figures: [e2e(1000)] } }),
      '--allow-missing',
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/simulator did not start/);
  });

  it("help's --allow example names a figure the latency suite writes", async () => {
    const example = /--allow "([^"]+)=([0-9.]+)"/.exec(HELP);
    expect(example).not.toBeNull();
    const [suite, ...rest] = example![1]!.split('/');
    // A committed full run: the figure names the suites really write.
    const committed = JSON.parse(
      await readFile(new URL('../../bench/results/2026-12-07-044a772.json', import.meta.url), 'utf8'),
    ) as BenchResults;
    expect(committed.suites[suite!]!.figures.map((f) => f.name)).toContain(rest.join('/'));
  });

  it('refuses an --allow that matches no figure of either file (exit 2), naming it', async () => {
    const r = await run(
      file({ latency: { figures: [p99(10)] } }),
      file({ latency: { figures: [p99(13)] } }),
      '--allow',
      'latency/feed→journal p99 at 10k/s=0.5',
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/feed→journal p99 at 10k\/s/);
    expect(r.stderr).toMatch(/feed→journal p99 at 10k msgs\/s/);
  });

  it('applies an --allow that matches, by suite/figure or by figure', async () => {
    for (const name of ['latency/feed→journal p99 at 10k msgs/s', 'feed→journal p99 at 10k msgs/s']) {
      const r = await run(
        file({ latency: { figures: [p99(10)] } }),
        file({ latency: { figures: [p99(13)] } }),
        '--allow',
        `${name}=0.5`,
      );
      expect(r.code).toBe(0);
    }
  });
});

describe('bench:compare, the reviewer’s cases', () => {
  it('fails a lag that rose from 0 to 900,000 lines', async () => {
    const lag = (value: number): BenchFigure => ({
      name: 'jsonl sink lag over the all-sinks run, max',
      value,
      unit: 'lines',
      better: 'lower',
    });
    const r = await run(
      file({ 'e2e-sinks': { figures: [lag(0)] } }),
      file({ 'e2e-sinks': { figures: [lag(900_000)] } }),
    );
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/jsonl sink lag.*REGRESSED/);
  });

  it('fails ClickHouse throughput halved behind a renamed baseline, saying raw values were compared', async () => {
    const ch = (value: number, name: string, b: number): BenchFigure => ({
      name: 'ClickHouse sink write',
      value,
      unit: 'records/s',
      baseline: { name, value: b },
      ratio: value / b,
    });
    const r = await run(
      file({ sinks: { figures: [ch(70_000, 'JSONL sink, same records, same run', 800_000)] } }),
      file({ sinks: { figures: [ch(35_000, 'JSONL sink without fdatasync', 300_000)] } }),
    );
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/ClickHouse sink write.*value.*baselines differ.*REGRESSED/);
  });
});
