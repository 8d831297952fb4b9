import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exitCodeFor, L2hError } from '../../common/errors.js';
import type { RunResults } from '../../harness/results/types.js';
import type { ReportDocument } from '../../reports/render-json.js';
import { writeReport } from '../../reports/write-report.js';
import { parseXml } from './mini-xml.js';
import { failingRun, metricsSamples, passingRun, writeRunDir } from './run-fixtures.js';

let root = '';
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'l2h-write-report-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function rejection(promise: Promise<unknown>): Promise<L2hError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof L2hError) return err;
    throw err;
  }
  throw new Error('expected a rejection');
}

describe('writeReport', () => {
  it('writes the four files into DIR/report and returns their paths', async () => {
    const dir = join(root, 'fail');
    await writeRunDir(dir, failingRun(), metricsSamples(12), { omitFiles: ['books/first-mismatch.json'] });
    const { files } = await writeReport(dir);
    expect(files).toEqual(
      ['index.html', 'report.md', 'report.json', 'junit.xml'].map((f) => join(dir, 'report', f)),
    );

    const doc = JSON.parse(await readFile(join(dir, 'report', 'report.json'), 'utf8')) as ReportDocument;
    expect(doc.results).toEqual(failingRun());
    expect(doc.summary.verdict).toBe('fail');
    expect(doc.summary.checks).toEqual({ total: 5, passed: 2, failed: 3 });
    expect(doc.summary.groups).toEqual([
      { group: 'zero-loss', total: 2, passed: 1, failed: 1 },
      { group: 'books', total: 1, passed: 0, failed: 1 },
      { group: 'consistency', total: 1, passed: 1, failed: 0 },
      { group: 'load', total: 1, passed: 0, failed: 1 },
    ]);
    expect(doc.summary.failed.map((f) => f.evidence)).toEqual([
      'index.html#evidence-zero-loss.journal-vs-simulator',
      'index.html#evidence-books.reference',
      'index.html#evidence-load.max-rate',
    ]);
    expect(doc.summary.metricsSamples).toBe(12);
    expect(doc.summary.charts['chart-throughput']).toEqual({
      measured: true,
      series: ['feed.L1', 'feed.L2', 'journal', 'sink.jsonl'],
      points: 48,
    });
    expect(doc.summary.missingFiles).toEqual(['books/first-mismatch.json']);

    const html = await readFile(join(dir, 'report', 'index.html'), 'utf8');
    expect(html).toContain('<span class="missing-file">(not found in the run directory)</span>');
    expect(html).toContain('<p>12 samples of the metrics timeline.</p>');
    const junit = parseXml(await readFile(join(dir, 'report', 'junit.xml'), 'utf8'));
    expect(junit.attrs.failures).toBe('3');
    const md = await readFile(join(dir, 'report', 'report.md'), 'utf8');
    expect(md).toContain('12 samples in metrics.jsonl');
  });

  it('writes report.json with keys sorted at every level, the same bytes every time', async () => {
    const dir = join(root, 'stable');
    await writeRunDir(dir, passingRun(), metricsSamples(3));
    await writeReport(dir);
    const first = await readFile(join(dir, 'report', 'report.json'), 'utf8');
    await writeReport(dir);
    expect(await readFile(join(dir, 'report', 'report.json'), 'utf8')).toBe(first);
    const sortedEverywhere = (value: unknown): boolean => {
      if (Array.isArray(value)) return value.every(sortedEverywhere);
      if (typeof value !== 'object' || value === null) return true;
      const keys = Object.keys(value);
      return keys.join('\n') === [...keys].sort().join('\n') && Object.values(value).every(sortedEverywhere);
    };
    const doc: unknown = JSON.parse(first);
    expect(sortedEverywhere(doc)).toBe(true);
    expect(Object.keys(doc as object)).toEqual(['results', 'summary']);
  });

  it('reads metrics.jsonl when results name no metrics file, and says "not measured" without one', async () => {
    const dir = join(root, 'implicit-metrics');
    await writeRunDir(dir, { ...passingRun(), metricsFile: null }, []);
    await writeFile(join(dir, 'metrics.jsonl'), `${JSON.stringify(metricsSamples(2)[1])}\n`);
    await writeReport(dir);
    const doc = JSON.parse(await readFile(join(dir, 'report', 'report.json'), 'utf8')) as ReportDocument;
    expect(doc.summary.metricsSamples).toBe(1);

    const bare = join(root, 'no-metrics');
    await writeRunDir(bare, { ...passingRun(), metricsFile: null }, []);
    await writeReport(bare);
    const html = await readFile(join(bare, 'report', 'index.html'), 'utf8');
    expect(html).toContain('<p class="not-measured">Throughput per stage: not measured in this run</p>');
    expect(html).toContain('<p class="not-measured">Lag per sink: not measured in this run</p>');
  });

  it('writes where --out says, linking evidence files back into the run directory', async () => {
    const dir = join(root, 'elsewhere-run');
    const out = join(root, 'elsewhere', 'out dir');
    await writeRunDir(dir, failingRun(), metricsSamples(2));
    const { files } = await writeReport(dir, { outDir: out });
    expect(files[0]).toBe(join(out, 'index.html'));
    const html = await readFile(files[0]!, 'utf8');
    expect(html).toContain('href="../../elsewhere-run/books/first-mismatch.json"');
  });

  it('fails with BAD_INPUT (exit 2) naming what is missing or malformed', async () => {
    const missingDir = await rejection(writeReport(join(root, 'nope')));
    expect(missingDir.message).toBe('run directory not found');
    expect(missingDir.context).toEqual({ dir: join(root, 'nope') });
    expect(exitCodeFor(missingDir)).toBe(2);

    const empty = join(root, 'empty');
    await mkdir(empty);
    const noResults = await rejection(writeReport(empty));
    expect(noResults.message).toBe('results.json not found');
    expect(noResults.context).toEqual({ file: join(empty, 'results.json') });
    expect(exitCodeFor(noResults)).toBe(2);

    const broken = join(root, 'broken');
    await mkdir(broken);
    await writeFile(join(broken, 'results.json'), JSON.stringify({ ...passingRun(), checks: 'all good' }));
    const malformed = await rejection(writeReport(broken));
    expect(malformed.message).toBe(
      `${join(broken, 'results.json')}: checks must be an array (found string "all good")`,
    );
    expect(exitCodeFor(malformed)).toBe(2);

    const noMetrics = join(root, 'named-metrics-missing');
    await mkdir(noMetrics);
    await writeFile(
      join(noMetrics, 'results.json'),
      JSON.stringify({ ...passingRun(), metricsFile: 'm/t.jsonl' }),
    );
    const missingMetrics = await rejection(writeReport(noMetrics));
    expect(missingMetrics.message).toBe('m/t.jsonl (the metrics timeline named by results.json) not found');
    expect(exitCodeFor(missingMetrics)).toBe(2);

    const badMetrics = join(root, 'bad-metrics');
    await writeRunDir(badMetrics, passingRun(), []);
    await writeFile(join(badMetrics, 'metrics.jsonl'), '{"t":1}\n');
    const badSample = await rejection(writeReport(badMetrics));
    expect(badSample.message).toBe(`${join(badMetrics, 'metrics.jsonl')}:1: rates is missing`);
  });

  it('puts the missing files and the ignored fields in report.md as in index.html and report.json', async () => {
    const dir = join(root, 'md-notes');
    const results = failingRun();
    await writeRunDir(dir, { ...results, extraField: 1 } as RunResults, metricsSamples(2), {
      omitFiles: ['books/first-mismatch.json'],
    });
    await writeReport(dir);
    const md = await readFile(join(dir, 'report', 'report.md'), 'utf8');
    expect(md).toContain('books/first-mismatch.json (not found in the run directory)');
    expect(md).toContain('- extraField');
  });

  it('keeps an input key named __proto__ (tape headers, message mix) in every output', async () => {
    const dir = join(root, 'proto');
    await mkdir(dir, { recursive: true });
    const results = failingRun();
    const text = JSON.stringify(results, null, 2)
      .replace('"messageMix": {', '"messageMix": {\n    "__proto__": 5,')
      .replace('"headers": {', '"headers": {\n        "__proto__": "kept",');
    await writeFile(join(dir, 'results.json'), text);
    await writeFile(join(dir, 'metrics.jsonl'), '');
    await writeReport(dir);
    const doc = JSON.parse(await readFile(join(dir, 'report', 'report.json'), 'utf8')) as ReportDocument;
    expect(Object.hasOwn(doc.results.messageMix, '__proto__')).toBe(true);
    expect(Object.getOwnPropertyDescriptor(doc.results.messageMix, '__proto__')?.value).toBe(5);
    expect(Object.hasOwn(doc.results.run.tape!.headers, '__proto__')).toBe(true);
    const md = await readFile(join(dir, 'report', 'report.md'), 'utf8');
    expect(md).toContain('| \\_\\_proto\\_\\_ | 5 |');
    expect(md).toContain('| \\_\\_proto\\_\\_ | kept |');
  });

  it('says why the report directory cannot be created: the cause, with the path given', async () => {
    const dir = join(root, 'enotdir');
    await writeRunDir(dir, passingRun(), []);
    const err = await rejection(writeReport(dir, { outDir: join(dir, 'results.json', 'x') }));
    expect(err.describe()).toMatch(/cannot create the report directory \(dir=.*results\.json\/x\).*ENOTDIR/);
  });
});
