import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { tapeSha256 } from '../../collector/tape/digest.js';
import { usageError } from '../../common/errors.js';
import type { Logger } from '../../common/logger.js';
import { runReplay } from '../replay/replay.js';
import type { Check } from '../results/types.js';
import { runPaths } from '../run-dir.js';
import { type FixtureSpec, readFixtureSpec } from './fixture-spec.js';
import { compareGolden, digestRun, type Golden } from './golden.js';
import { materializeFixture } from './materialize.js';

export interface RegressOptions {
  /** Fixture spec files, or folders holding `*.fixture.json`. */
  readonly fixtures: readonly string[];
  readonly out: string;
  readonly updateGolden: boolean;
  readonly logger: Logger;
  readonly command: string;
}

export interface FixtureOutcome {
  readonly fixture: string;
  readonly runDir: string;
  readonly verified: boolean;
  /** null when the fixture had no golden yet. */
  readonly changes: readonly { stream: string; what: string }[] | null;
  readonly blessed: boolean;
  readonly check: Check;
}

async function specFiles(paths: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const p of paths) {
    const s = await stat(p).catch(() => null);
    if (s === null) throw usageError(`no such fixture or folder: ${p}`, 'e.g. l2h regress fixtures/days');
    if (s.isDirectory()) {
      for (const n of (await readdir(p)).sort()) if (n.endsWith('.fixture.json')) out.push(join(p, n));
    } else out.push(p);
  }
  if (out.length === 0) throw usageError('no *.fixture.json found', `looked in ${paths.join(', ')}`);
  return out;
}

async function readGolden(spec: FixtureSpec): Promise<Golden | null> {
  try {
    return JSON.parse(await readFile(spec.goldenFile, 'utf8')) as Golden;
  } catch {
    return null;
  }
}

/**
 * Replay each captured or generated day, verify it, and compare its records with the golden
 * results kept beside it. `updateGolden` blesses the new results and says what changed.
 */
export async function runRegress(options: RegressOptions): Promise<FixtureOutcome[]> {
  const outcomes: FixtureOutcome[] = [];
  for (const file of await specFiles(options.fixtures)) {
    const spec = await readFixtureSpec(file);
    const tape = await materializeFixture(spec);
    const runDir = resolve(options.out, spec.name);
    const { results } = await runReplay({
      tape,
      out: runDir,
      speed: 'max',
      rate: null,
      sinks: ['jsonl'],
      depth: 10,
      seed: 1,
      timeoutMs: 600_000,
      command: options.command,
      scenario: `regress:${spec.name}`,
      logger: options.logger,
    });
    const streams = await digestRun(runPaths(runDir).data);
    const golden = await readGolden(spec);
    const sha = await tapeSha256(tape);
    const changes = golden ? compareGolden(golden.streams, streams) : null;
    const tapeChanged = golden !== null && golden.tapeSha256 !== sha;
    const verified = results.verdict === 'pass';
    let blessed = false;
    if (options.updateGolden && verified) {
      const next: Golden = { schema: 'l2h.golden/1', fixture: spec.name, tapeSha256: sha, streams };
      await writeFile(spec.goldenFile, `${JSON.stringify(next, null, 2)}\n`);
      blessed = true;
    }
    const matches = golden !== null && changes!.length === 0 && !tapeChanged;
    outcomes.push({
      fixture: spec.name,
      runDir,
      verified,
      changes,
      blessed,
      check: {
        id: `regress.${spec.name}`,
        group: 'consistency',
        title: `${spec.name}: records equal the golden results (${spec.description})`,
        threshold: 'replay verified; every record stream equal to its golden digest',
        measured: !verified
          ? `the replay failed verification (${results.checks
              .filter((c) => !c.pass)
              .map((c) => c.id)
              .join(', ')})`
          : golden === null
            ? 'no golden results yet'
            : matches
              ? `${Object.keys(streams).length} streams equal`
              : `${changes!.length} streams differ${tapeChanged ? '; the tape itself changed' : ''}`,
        pass: verified && (matches || blessed),
        evidence: {
          differences: (changes ?? [])
            .slice(0, 10)
            .map((c) => ({ where: c.stream, expected: 'golden', actual: c.what })),
          files: [runDir],
          details: blessed ? { blessed: spec.goldenFile } : {},
        },
      },
    });
  }
  return outcomes;
}
