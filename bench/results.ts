import { readFile } from 'node:fs/promises';
import { L2hError } from '../common/errors.js';
import type { BenchFigure } from './figure.js';
import type { LoadAverage, MachineDescription } from './machine.js';

/**
 * A results file, `bench/results/<YYYY-MM-DD>-<commit>.json`. Results of the same day and commit
 * are merged per suite, so suites can be run one at a time; each suite keeps when it ran and how
 * loaded the machine was around it, so a reader can tell a quiet figure from a noisy one.
 */
export interface BenchResults {
  readonly schema: 'l2h.bench/1';
  readonly date: string;
  readonly commit: string;
  /**
   * The work tree differed from the commit, for any run whose suites the file still holds: one
   * suite measured on a modified tree taints the file, though later runs were clean.
   */
  readonly dirty: boolean;
  /** The command line of the last run that wrote this file. */
  readonly command: string;
  /** The machine of the last run that wrote this file. */
  readonly machine: MachineDescription;
  /** Load averages (1, 5, 15 min) when the last run started and ended. */
  readonly loadAverage: { readonly start: LoadAverage; readonly end: LoadAverage };
  readonly durationS: number;
  readonly suites: Readonly<Record<string, SuiteResult>>;
}

/**
 * Where a suite's figures came from. A file merges runs, and only the last run's provenance
 * fits the file-level fields, so each suite carries its own; files written before it existed
 * lack it, and `suiteProvenance` falls back to the file's.
 */
export interface SuiteProvenance {
  readonly commit: string;
  readonly dirty: boolean;
  readonly command: string;
  readonly machine: MachineDescription;
}

export interface SuiteResult extends Partial<SuiteProvenance> {
  readonly ranAt: string;
  readonly durationS: number;
  readonly quick: boolean;
  readonly loadAverage: { readonly start: LoadAverage; readonly end: LoadAverage };
  readonly figures: readonly BenchFigure[];
  /** Set when the suite threw: its figures are missing, the others still count. */
  readonly error?: string;
}

/** A suite's provenance, from its own fields where the file has them, else the file's. */
export function suiteProvenance(results: BenchResults, suite: string): SuiteProvenance {
  const s = results.suites[suite];
  return {
    commit: s?.commit ?? results.commit,
    dirty: s?.dirty ?? results.dirty,
    command: s?.command ?? results.command,
    machine: s?.machine ?? results.machine,
  };
}

/** Read a results file, with a clear error for a missing or foreign file. */
export async function readResults(path: string): Promise<BenchResults> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new L2hError(`cannot read the results file: ${(err as Error).message}`, {
      code: 'BAD_INPUT',
      context: { file: path },
    });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new L2hError(`the results file is not JSON: ${(err as Error).message}`, {
      code: 'BAD_INPUT',
      context: { file: path },
    });
  }
  const suites = (value as { suites?: unknown } | null)?.suites;
  if (typeof suites !== 'object' || suites === null) {
    throw new L2hError('not a bench results file: it has no "suites" object', {
      code: 'BAD_INPUT',
      context: { file: path },
      hint: 'pass files written by `npm run bench` (bench/results/*.json)',
    });
  }
  for (const [name, suite] of Object.entries(suites)) {
    const s = suite as Record<string, unknown> | null;
    const figures = s?.['figures'];
    if (!Array.isArray(figures)) {
      throw new L2hError(`suite "${name}" has no "figures" array`, {
        code: 'BAD_INPUT',
        context: { file: path },
      });
    }
    // Per-suite provenance is optional (older files lack it), but when present a reader trusts it
    // over the file's, so a wrong type must not pass for "clean" or "same machine".
    for (const [key, type] of [
      ['dirty', 'boolean'],
      ['commit', 'string'],
      ['command', 'string'],
      ['machine', 'object'],
    ] as const) {
      const v = s?.[key];
      if (v !== undefined && (typeof v !== type || v === null)) {
        throw new L2hError(`suite "${name}" has a "${key}" that is not a ${type}`, {
          code: 'BAD_INPUT',
          context: { file: path },
        });
      }
    }
    for (const f of figures as unknown[]) {
      const g = f as Partial<BenchFigure> | null;
      if (typeof g?.name !== 'string' || typeof g.value !== 'number' || typeof g.unit !== 'string') {
        throw new L2hError(`suite "${name}" has a figure without name, value and unit`, {
          code: 'BAD_INPUT',
          context: { file: path, figure: JSON.stringify(f).slice(0, 200) },
        });
      }
    }
  }
  return value as BenchResults;
}
