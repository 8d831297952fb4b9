import { describe, expect, it } from 'vitest';
import type { RunResults } from '../../harness/results/types.js';
import { checkAnchors } from '../../reports/anchors.js';
import { escapeMarkdown } from '../../reports/escape.js';
import { renderMarkdown } from '../../reports/render-markdown.js';
import { failingRun, HOSTILE_HEADER, HOSTILE_TITLE, passingRun } from './run-fixtures.js';

/** The table that follows a heading, as rows of cells (split on unescaped pipes). */
function tableAfter(md: string, heading: string, nth = 0): string[][] {
  const lines = md.split('\n');
  let i = lines.indexOf(heading);
  expect(i, `heading ${heading}`).toBeGreaterThanOrEqual(0);
  const tables: string[][][] = [];
  while (i < lines.length) {
    if (lines[i]!.startsWith('|')) {
      const rows: string[][] = [];
      while (i < lines.length && lines[i]!.startsWith('|')) {
        rows.push(
          lines[i]!.slice(1, -1)
            .split(/(?<!\\)\|/)
            .map((c) => c.trim()),
        );
        i++;
      }
      tables.push(rows);
    }
    i++;
    if (lines[i]?.startsWith('## ')) break;
  }
  const table = tables[nth];
  expect(table, `table ${nth} after ${heading}`).toBeDefined();
  return table!;
}

function checksRows(results: RunResults): string[][] {
  const rows = tableAfter(renderMarkdown(results), '## Checks');
  expect(rows[0]).toEqual(['Result', 'Check', 'Group', 'Threshold', 'Measured', 'Evidence']);
  expect(rows[1]!.every((c) => c === '---')).toBe(true);
  return rows.slice(2);
}

describe('renderMarkdown', () => {
  it('opens with the verdict and counts', () => {
    const pass = renderMarkdown(passingRun()).split('\n');
    expect(pass[0]).toBe('# Readiness report: run 2026-11-24T10-00-00Z-aapl');
    expect(pass[2]).toBe('**Verdict: PASS**: 4 of 4 checks passed.');
    const fail = renderMarkdown(failingRun()).split('\n');
    expect(fail[2]).toBe('**Verdict: FAIL**: 3 of 5 checks failed.');
  });

  it('has one checks-table row per check with threshold, measured, result and evidence link', () => {
    const results = failingRun();
    const anchors = checkAnchors(results.checks);
    const rows = checksRows(results);
    expect(rows).toHaveLength(results.checks.length);
    results.checks.forEach((check, i) => {
      expect(rows[i]).toEqual([
        check.pass ? 'PASS' : '**FAIL**',
        `${escapeMarkdown(check.id)}: ${escapeMarkdown(check.title)}`,
        check.group,
        escapeMarkdown(check.threshold),
        escapeMarkdown(check.measured),
        `[evidence](index.html#${anchors.get(check.id)!.evidence})`,
      ]);
    });
  });

  it('escapes pipes and HTML so a hostile title stays inside its cell as text', () => {
    const row = checksRows(failingRun()).find((r) => r[1]!.startsWith('books.reference'))!;
    expect(row).toHaveLength(6);
    expect(escapeMarkdown(HOSTILE_TITLE)).toBe(
      'Books equal the reference \\| "quoted" &amp; \\<b\\>bold\\</b\\>',
    );
    expect(row[1]).toBe(`books.reference: ${escapeMarkdown(HOSTILE_TITLE)}`);
    const md = renderMarkdown(failingRun());
    expect(md).not.toContain('<script>');
    expect(md).not.toContain('<b>');
    const headerRow = tableAfter(md, '## Identity', 1).find((r) => r[0] === 'source')!;
    expect(headerRow[1]).toBe(escapeMarkdown(HOSTILE_HEADER));
    expect(headerRow[1]).not.toMatch(/(?<!\\)</);
  });

  it('shows the failed checks evidence: differences and the book diff with differing cells marked', () => {
    const md = renderMarkdown(failingRun());
    expect(md).toContain('### books.reference: ');
    const book = tableAfter(md, '## Evidence of the failed checks', 4);
    expect(book[0]).toEqual(['Level', 'Expected bid', 'Actual bid', 'Expected ask', 'Actual ask']);
    expect(book.slice(2)).toEqual([
      ['1', '18 @ 585.33', '18 @ 585.33', '200 @ 585.94', '200 @ 585.94'],
      ['2', '40 @ 585.32', '**20 @ 585.32**', '100 @ 585.95', '**100 @ 585.96**'],
      ['3', '7 @ 585.31', '**—**', '—', '—'],
    ]);
    const diffs = tableAfter(md, '## Evidence of the failed checks', 1);
    expect(diffs.slice(2)).toEqual([
      ['connection L2#1 line 88', '3,AAPL,B,585.33,18,1,4,09:30:00.004241,2012-06-21,', '(absent)'],
      ['connection L2#1 line 89', '4,AAPL,A,585.94,200,1,4', '4,AAPL,A,585.94,100,1,4'],
    ]);
    // Evidence files link into the run directory, one level up from the report, URL-encoded.
    expect(md).toContain('[zero-loss/missing lines.txt](../zero-loss/missing%20lines.txt)');
  });

  it('has no evidence section when every check passed', () => {
    expect(renderMarkdown(passingRun())).not.toContain('## Evidence of the failed checks');
  });

  it('says "not measured in this run" for sections without data and tables the ones with data', () => {
    const pass = renderMarkdown(passingRun());
    const loadSection = pass.split('## Load steps\n\n')[1]!.split('\n')[0];
    expect(loadSection).toBe('not measured in this run');
    const bare: RunResults = { ...passingRun(), latency: [], messageMix: {}, metricsFile: null };
    const md = renderMarkdown(bare);
    for (const heading of ['## Latency', '## Message mix', '## Metrics timeline', '## Load steps']) {
      expect(md.split(`${heading}\n\n`)[1]!.split('\n')[0], heading).toBe('not measured in this run');
    }
    const load = tableAfter(renderMarkdown(failingRun()), '## Load steps');
    expect(load.slice(2).map((r) => [r[0], r[1], r[2], r[5]])).toEqual([
      ['10,000', '10,000', '0', 'PASS'],
      ['20,000', '20,000', '0', 'PASS'],
      ['40,000', '40,000', '0', 'PASS'],
      ['80,000', '61,500', '1,234', '**FAIL**'],
    ]);
    const mix = tableAfter(pass, '## Message mix');
    expect(mix.slice(2).map((r) => r[0])).toEqual(['L1/P', 'L1/Q', 'L2/0', 'L2/3', 'L2/4', 'L2/6', 'L2/T']);
  });

  it('reports the metrics sample count when given', () => {
    const md = renderMarkdown(passingRun(), { metricsSamples: 30 });
    expect(md.split('## Metrics timeline\n\n')[1]!.split('\n')[0]).toBe(
      '30 samples in metrics.jsonl; throughput and per-sink lag over time are charted in [index.html](index.html#throughput).',
    );
    expect(renderMarkdown(passingRun(), { metricsSamples: 0 })).toContain(
      '## Metrics timeline\n\nnot measured in this run',
    );
  });

  it('marks evidence files missing from the run directory and lists the fields it did not read', () => {
    const results = failingRun();
    const file = results.checks.flatMap((c) => (c.pass ? [] : (c.evidence.files ?? [])))[0]!;
    const md = renderMarkdown(results, {
      missingFiles: new Set([file]),
      ignoredFields: ['extraField', 'checks[0].evidence.note_*'],
    });
    expect(md).toContain(`${escapeMarkdown(file)} (not found in the run directory)`);
    expect(md).not.toContain(`[${escapeMarkdown(file)}](`);
    const notes = md.slice(md.indexOf('## Notes on the inputs'));
    expect(notes).toContain('Fields present in the inputs that this report does not read');
    expect(notes).toContain('- extraField');
    expect(notes).toContain(`- ${escapeMarkdown('checks[0].evidence.note_*')}`);
    expect(notes).toContain(
      `Evidence files named by checks but not found in the run directory:\n\n- ${escapeMarkdown(file)}`,
    );
    expect(renderMarkdown(results)).not.toContain('## Notes on the inputs');
  });
});
