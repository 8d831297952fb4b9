/**
 * Running a scenario from a test: a private run directory, the scenario's CI size (or smaller
 * for a sabotaged run), and the checks by id for assertions.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../../../common/logger.js';
import type { Check, RunResults } from '../../../harness/results/types.js';
import { findScenario } from '../../../harness/scenarios/index.js';

const dirs: string[] = [];

export function cleanupRuns(): void {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
}

export interface ScenarioRun {
  readonly results: RunResults;
  readonly dir: string;
  check(id: string): Check;
  failing(): string[];
}

export async function runScenario(
  name: string,
  options: { sabotage?: boolean; size?: Readonly<Record<string, number>> } = {},
): Promise<ScenarioRun> {
  const root = mkdtempSync(join(tmpdir(), `l2h-scenario-${name}-`));
  dirs.push(root);
  const { dir, results } = await findScenario(name).run({
    out: join(root, 'run'),
    full: false,
    logger: silentLogger,
    command: `test ${name}`,
    sabotage: options.sabotage ?? false,
    size: options.size,
  });
  return {
    results,
    dir,
    check(id) {
      const c = results.checks.find((x) => x.id === id);
      if (!c) throw new Error(`no check ${id} in ${results.checks.map((x) => x.id).join(', ')}`);
      return c;
    },
    failing: () => results.checks.filter((c) => !c.pass).map((c) => c.id),
  };
}
