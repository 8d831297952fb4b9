import { cp, mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Logger } from '../../common/logger.js';
import { generateTape } from '../../fixtures/index.js';
import { machineIdentity, softwareVersions } from '../identity.js';
import { runReplay } from '../replay/replay.js';
import type { Check, RunResults } from '../results/types.js';
import { runPaths } from '../run-dir.js';
import { jsonlSource } from '../verify/sinks/jsonl-source.js';
import { verifyRun } from '../verify/verify-run.js';
import { PLANTS } from './plants.js';

export interface SelftestOptions {
  readonly out: string;
  readonly lines: number;
  readonly seed: string;
  readonly logger: Logger;
  readonly command: string;
}

/**
 * Replay a small day, check it passes, then plant each defect into a copy of the run and require
 * the verification that should catch it to fail — for that defect's reason, with every other
 * check still passing.
 */
export async function runSelftest(options: SelftestOptions): Promise<{ dir: string; results: RunResults }> {
  const started = Date.now();
  const dir = resolve(options.out);
  await mkdir(dir, { recursive: true });
  const tape = join(dir, 'selftest.tape');
  await generateTape({ seed: options.seed, lines: options.lines }, tape);
  const cleanDir = join(dir, 'clean');
  const clean = await runReplay({
    tape,
    out: cleanDir,
    speed: 'max',
    rate: null,
    sinks: ['jsonl'],
    depth: 10,
    seed: 1,
    timeoutMs: 300_000,
    command: options.command,
    scenario: 'selftest',
    logger: options.logger,
    // One L2 disconnect halfway through, so the run holds a resync (and its gap markers) to plant into.
    simulatorArgs: [
      '--faults',
      JSON.stringify({
        seed: 1,
        faults: [{ kind: 'close', channel: 'L2', at: { line: Math.floor(options.lines / 3) } }],
      }),
    ],
  });
  const checks: Check[] = [
    {
      id: 'selftest.clean-run',
      group: 'selftest',
      title: 'A clean replay passes every verification',
      threshold: 'all checks pass',
      measured: `${clean.results.checks.filter((c) => c.pass).length} of ${clean.results.checks.length} passed`,
      pass: clean.results.verdict === 'pass',
      evidence: {
        differences: clean.results.checks
          .filter((c) => !c.pass)
          .map((c) => ({ where: c.id, expected: c.threshold, actual: c.measured })),
        files: ['clean/report/index.html'],
      },
    },
  ];
  for (const p of PLANTS) {
    const target = join(dir, 'planted', p.name);
    await cp(cleanDir, target, { recursive: true });
    let planted: string;
    try {
      planted = await p.plant(target);
    } catch (err) {
      checks.push({
        id: `selftest.${p.name}`,
        group: 'selftest',
        title: `Planted: ${p.description}`,
        threshold: `${p.checkId} fails for this defect`,
        measured: `could not plant: ${String(err)}`,
        pass: false,
        evidence: {},
      });
      continue;
    }
    const outcome = await verifyRun({
      runDir: target,
      depth: 10,
      sinks: [jsonlSource(runPaths(target).data)],
    });
    const hit = outcome.checks.find((c) => c.id === p.checkId);
    const others = outcome.checks.filter((c) => c.id !== p.checkId && !c.pass);
    const caught = hit !== undefined && p.caughtFor(hit);
    checks.push({
      id: `selftest.${p.name}`,
      group: 'selftest',
      title: `Planted: ${p.description}`,
      threshold: `${p.checkId} fails for this defect, every other check passes`,
      measured: hit
        ? `${p.checkId}: ${hit.pass ? 'passed (missed it)' : hit.measured}${others.length ? `; also failed: ${others.map((c) => c.id).join(', ')}` : ''}`
        : `${p.checkId} did not run`,
      pass: caught && others.length === 0,
      evidence: {
        details: { planted },
        differences: hit?.evidence.differences?.slice(0, 3) ?? [],
        ...(hit?.evidence.bookDiff ? { bookDiff: hit.evidence.bookDiff } : {}),
      },
    });
  }
  const results: RunResults = {
    schema: 'l2h.results/1',
    verdict: checks.every((c) => c.pass) ? 'pass' : 'fail',
    run: {
      ...clean.results.run,
      id: 'selftest',
      command: options.command,
      durationMs: Date.now() - started,
      scenario: 'selftest',
      versions: softwareVersions(),
      machine: machineIdentity(),
    },
    checks,
    latency: [],
    messageMix: clean.results.messageMix,
    load: null,
    metricsFile: null,
  };
  await writeFile(join(dir, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  return { dir, results };
}
