import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { inputError, L2hError } from '../common/errors.js';
import { exists, isDirectory } from '../common/paths.js';
import type { MetricsSample, RunResults } from '../harness/results/types.js';
import { parseMetricsSamples } from './validate-metrics.js';
import { parseRunResults } from './validate-results.js';

/**
 * Reads what a report needs from a run directory (CONTRACTS §4): `results.json`, the metrics
 * timeline it names (or `metrics.jsonl` when it names none), and which evidence files exist.
 */
export interface RunInputs {
  readonly runDir: string;
  readonly results: RunResults;
  readonly samples: readonly MetricsSample[];
  /** The metrics file read, relative to the run directory, or null when the run has none. */
  readonly metricsFile: string | null;
  readonly ignoredFields: readonly string[];
  readonly missingFiles: ReadonlySet<string>;
}

async function readText(path: string, what: string, hint: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    const code = err instanceof Error && 'code' in err ? String(err.code) : 'unknown';
    if (code === 'ENOENT') {
      throw inputError(`${what} not found`, { file: path }, hint);
    }
    throw new L2hError(`cannot read ${what}`, {
      code: 'IO',
      cause: err,
      context: { file: path, error: code },
    });
  }
}

export async function readRun(runDir: string): Promise<RunInputs> {
  if (!(await isDirectory(runDir))) {
    throw inputError('run directory not found', { dir: runDir }, 'pass the --out directory of `l2h replay`');
  }
  const resultsPath = join(runDir, 'results.json');
  const parsed = parseRunResults(
    await readText(resultsPath, 'results.json', 'run `l2h verify DIR` to (re)create it'),
    resultsPath,
  );
  const results = parsed.results;
  const ignoredFields = [...parsed.ignoredFields];

  let metricsFile = results.metricsFile;
  if (metricsFile === null && (await exists(join(runDir, 'metrics.jsonl')))) metricsFile = 'metrics.jsonl';
  let samples: readonly MetricsSample[] = [];
  if (metricsFile !== null) {
    const path = join(runDir, metricsFile);
    const what =
      results.metricsFile === null
        ? 'metrics.jsonl'
        : `${metricsFile} (the metrics timeline named by results.json)`;
    const metrics = parseMetricsSamples(
      await readText(path, what, 'restore the file, or set metricsFile to null in results.json'),
      path,
    );
    samples = metrics.samples;
    ignoredFields.push(...metrics.ignoredFields);
  }

  const missingFiles = new Set<string>();
  for (const check of results.checks) {
    for (const file of check.evidence.files ?? []) {
      if (!(await exists(join(runDir, file)))) missingFiles.add(file);
    }
  }
  return { runDir, results, samples, metricsFile, ignoredFields, missingFiles };
}
