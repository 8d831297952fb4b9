import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { L2hError } from '../common/errors.js';
import { readRun } from './read-run.js';
import { renderHtml } from './render-html.js';
import { renderJson } from './render-json.js';
import { renderJunit } from './render-junit.js';
import { renderMarkdown } from './render-markdown.js';

/**
 * Writes the readiness report of a run directory: `report/index.html`, `report.md`,
 * `report.json` and `junit.xml`. Each file is written beside its final name and renamed, so a
 * reader (or a CI job collecting junit.xml) never sees half a file.
 */
export interface WriteReportOptions {
  /** Where to write the four files (default `<runDir>/report`). */
  readonly outDir?: string;
}

export const REPORT_FILES = ['index.html', 'report.md', 'report.json', 'junit.xml'] as const;

async function writeAtomically(path: string, text: string): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}`;
  try {
    await writeFile(tmp, text, 'utf8');
    await rename(tmp, path);
  } catch (err) {
    throw new L2hError('cannot write the report', { code: 'IO', cause: err, context: { file: path } });
  }
}

/** The run directory as a URL path from the report directory, e.g. `..`. */
function hrefBetween(from: string, to: string): string {
  const rel = relative(from, to).split(sep).map(encodeURIComponent).join('/');
  return rel === '' ? '.' : rel;
}

export async function writeReport(
  runDir: string,
  options: WriteReportOptions = {},
): Promise<{ files: string[]; verdict: 'pass' | 'fail' }> {
  const run = await readRun(runDir);
  const outDir = options.outDir ?? join(runDir, 'report');
  try {
    await mkdir(outDir, { recursive: true });
  } catch (err) {
    // A file where the path needs a directory is a wrong --out (bad input, exit 2); anything
    // else (permissions, a full disk) is the machine's, not the caller's.
    const code = err instanceof Error && 'code' in err ? err.code : undefined;
    const fileInTheWay = code === 'ENOTDIR' || code === 'EEXIST';
    throw new L2hError('cannot create the report directory', {
      code: fileInTheWay ? 'BAD_INPUT' : 'IO',
      cause: err,
      context: { dir: outDir },
      hint: fileInTheWay ? 'a file is in the way: choose another --out, or move the file' : undefined,
    });
  }
  const runDirHref = hrefBetween(outDir, runDir);
  const inputs = { ignoredFields: run.ignoredFields, missingFiles: run.missingFiles };
  const texts: Record<(typeof REPORT_FILES)[number], string> = {
    'index.html': renderHtml(run.results, run.samples, { runDirHref, ...inputs }),
    'report.md': renderMarkdown(run.results, { metricsSamples: run.samples.length, runDirHref, ...inputs }),
    'report.json': renderJson(run.results, run.samples, inputs),
    'junit.xml': renderJunit(run.results),
  };
  const files: string[] = [];
  for (const name of REPORT_FILES) {
    const path = join(outDir, name);
    await writeAtomically(path, texts[name]);
    files.push(path);
  }
  return { files, verdict: run.results.verdict };
}
