import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { registerVerify } from '../../../cli/commands/verify.js';
import type { Check, RunResults } from '../../../harness/results/types.js';
import { runPaths } from '../../../harness/run-dir.js';
import type { SentConnection } from '../../../harness/verify/feed-check.js';
import { readJournal } from '../../../harness/verify/journal-reader.js';
import { findSessionDir } from '../../../harness/verify/verify-run.js';
import { cleanRun } from '../../harness/replay-helpers.js';

let root = '';
let copy: (name: string) => Promise<string>;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'l2h-cli-verify-'));
  ({ copy } = await cleanRun(root, { seed: 'cli-verify', lines: 4000 }));
}, 180_000);

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** Runs `l2h verify DIR` through commander as main.ts does: stdout, exit code, results written. */
async function verify(dir: string): Promise<{ stdout: string; exitCode: number; results: RunResults }> {
  const program = new Command().exitOverride();
  registerVerify(program);
  let stdout = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  });
  const before = process.exitCode;
  try {
    await program.parseAsync(['node', 'l2h', 'verify', dir]);
    const exitCode = Number(process.exitCode ?? 0);
    const results = JSON.parse(await readFile(runPaths(dir).results, 'utf8')) as RunResults;
    return { stdout, exitCode, results };
  } finally {
    spy.mockRestore();
    process.exitCode = before;
  }
}

async function editResults(dir: string, edit: (r: RunResults) => RunResults): Promise<void> {
  const path = runPaths(dir).results;
  const r = JSON.parse(await readFile(path, 'utf8')) as RunResults;
  await writeFile(path, JSON.stringify(edit(r), null, 2));
}

describe('l2h verify', () => {
  it('keeps a failed check it cannot measure again (a Kafka sink), so the run stays failed, and says so', async () => {
    const dir = await copy('kafka-failed');
    const kafka: Check = {
      id: 'zero-loss.journal-vs-kafka',
      group: 'zero-loss',
      title: 'Every record the journal implies is in kafka, once',
      threshold: 'lost = 0, unexpected = 0 (duplicates counted)',
      measured: '10 of 20 present; lost 10',
      pass: false,
      evidence: { counts: { lost: 10 } },
    };
    await editResults(dir, (r) => ({ ...r, verdict: 'fail', checks: [...r.checks, kafka] }));
    const { stdout, exitCode, results } = await verify(dir);
    expect(exitCode).toBe(1);
    expect(results.verdict).toBe('fail');
    expect(results.checks.find((c) => c.id === kafka.id)).toEqual(kafka);
    expect(results.checks.map((c) => c.id)).toContain('process.collector-exit');
    expect(stdout).toMatch(
      /carried over as measured by the run, not re-measured: .*zero-loss\.journal-vs-kafka \(FAIL\)/,
    );
    expect(stdout).toMatch(/re-measured: zero-loss\.simulator-vs-journal, zero-loss\.journal-vs-jsonl/);
  }, 60_000);

  it('allows again the connections the run allowed to be cut short by a crash', async () => {
    const dir = await copy('cut-short');
    const paths = runPaths(dir);
    // The simulator sent L1#1 five lines more than the journal holds (what a killed collector
    // never read), with a checkpoint every 500 lines: the journal is a verifiable prefix.
    const hash = createHash('sha256');
    const checkpoints: { lines: number; sha256: string }[] = [];
    let n = 0;
    for await (const batch of readJournal(await findSessionDir(paths.journal))) {
      for (const item of batch) {
        if (item.kind !== 'line' || item.channel !== 'L1') continue;
        hash.update(`${item.line}\n`, 'latin1');
        if (++n % 500 === 0) checkpoints.push({ lines: n, sha256: hash.copy().digest('hex') });
      }
    }
    for (let i = 0; i < 5; i++) hash.update(`S,UNREAD ${i}\n`, 'latin1');
    const stats = JSON.parse(await readFile(paths.simulatorStats, 'utf8')) as {
      connections: SentConnection[];
    };
    stats.connections = stats.connections.map((c) =>
      c.channel === 'L1'
        ? { ...c, lines: n + 5, sha256Lines: hash.digest('hex'), checkpointEvery: 500, checkpoints }
        : { ...c },
    );
    await writeFile(paths.simulatorStats, JSON.stringify(stats));
    // What a crash scenario's run records in its feed check.
    await editResults(dir, (r) => ({
      ...r,
      checks: r.checks.map((c) =>
        c.id === 'zero-loss.simulator-vs-journal'
          ? { ...c, evidence: { ...c.evidence, details: { truncatedAllowed: ['L1#1'] } } }
          : c,
      ),
    }));
    const { stdout, exitCode, results } = await verify(dir);
    const feed = results.checks.find((c) => c.id === 'zero-loss.simulator-vs-journal')!;
    expect(feed.pass).toBe(true);
    expect(feed.evidence.counts).toMatchObject({
      truncatedByCrash: 1,
      prefixLinesVerified: n - (n % 500),
      prefixLinesUnverified: n % 500,
    });
    expect(feed.evidence.details?.['truncatedAllowed']).toEqual(['L1#1']);
    expect(exitCode).toBe(0);
    expect(stdout).toMatch(/connections allowed to be cut short \(as the run recorded\): L1#1/);
  }, 60_000);
});
