import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { RunResults } from '../../harness/results/types.js';
import { CHART_IDS, type ChartSpec } from '../../reports/charts.js';
import { renderHtml } from '../../reports/render-html.js';
import { failingRun, HOSTILE_HEADER, HOSTILE_LINE, metricsSamples, passingRun } from './run-fixtures.js';

const samples = metricsSamples(30);

function ids(page: string): Set<string> {
  return new Set([...page.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]!));
}

function scripts(page: string): { attrs: string; body: string }[] {
  return [...page.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)].map((m) => ({
    attrs: m[1]!,
    body: m[2]!,
  }));
}

function chartData(page: string): ChartSpec[] {
  const data = scripts(page).find((s) => s.attrs.includes('id="report-data"'));
  expect(data).toBeDefined();
  return (JSON.parse(data!.body) as { charts: ChartSpec[] }).charts;
}

/** The HTML of the element with this id, up to its closing tag (our markup never nests the same tag). */
function elementById(page: string, tag: string, id: string): string {
  const start = page.indexOf(`<${tag} id="${id}"`);
  expect(start, `<${tag} id="${id}">`).toBeGreaterThanOrEqual(0);
  return page.slice(start, page.indexOf(`</${tag}>`, start) + tag.length + 3);
}

describe('renderHtml', () => {
  it('shows the verdict first, linking to the evidence of each failed check', () => {
    const page = renderHtml(failingRun(), samples);
    const verdict = elementById(page, 'section', 'verdict');
    expect(verdict).toContain('class="verdict fail" data-verdict="fail"');
    expect(verdict).toContain('<strong>FAIL</strong> 3 of 5 checks failed:');
    const links = [...verdict.matchAll(/href="#([^"]+)"/g)].map((m) => m[1]);
    expect(links).toEqual([
      'evidence-zero-loss.journal-vs-simulator',
      'evidence-books.reference',
      'evidence-load.max-rate',
    ]);
    expect(page.indexOf('id="verdict"')).toBeLessThan(page.indexOf('id="checks"'));
    const passVerdict = elementById(renderHtml(passingRun(), samples), 'section', 'verdict');
    expect(passVerdict).toContain('<strong>PASS</strong> 4 of 4 checks passed.');
  });

  it('links the failing check row to an existing evidence section holding the book diff', () => {
    const page = renderHtml(failingRun(), samples);
    const row = elementById(page, 'tr', 'check-books.reference');
    const cells = [...row.matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((m) => m[1]);
    expect(cells[0]).toBe('FAIL');
    expect(cells[3]).toBe('mismatches = 0');
    expect(cells[4]).toBe('3 mismatches in 80,000 L2 messages');
    const href = /href="#([^"]+)"/.exec(cells[5]!)![1]!;
    expect(ids(page).has(href)).toBe(true);
    const evidence = elementById(page, 'article', href);
    expect(evidence).toContain('class="evidence fail"');
    expect(evidence).toContain('<div class="book-diff" data-symbol="AAPL" data-seq="1234">');
    expect(evidence).toContain('2 of 3 levels differ');
    // Level 2: expected bid size 40 against actual 20, marked on both sides.
    const level2 = /<tr data-level="2" class="differs">([\s\S]*?)<\/tr>/.exec(evidence)![1]!;
    expect([...level2.matchAll(/<td class="([^"]+)">([^<]*)<\/td>/g)].map((m) => [m[1], m[2]])).toEqual([
      ['num', '2'],
      ['num differs', '40'],
      ['num', '585.32'],
      ['num differs', '585.95'],
      ['num', '100'],
      ['num differs', '20'],
      ['num', '585.32'],
      ['num differs', '585.96'],
      ['num', '100'],
    ]);
  });

  it('resolves every in-page link to an element of the page', () => {
    for (const results of [passingRun(), failingRun()]) {
      const page = renderHtml(results, samples);
      const targets = [...page.matchAll(/href="#([^"]+)"/g)].map((m) => m[1]!);
      expect(targets.length).toBeGreaterThan(results.checks.length * 2);
      const known = ids(page);
      expect(targets.filter((t) => !known.has(t))).toEqual([]);
    }
  });

  it('escapes text from results: no tag, attribute or script can be injected', () => {
    const page = renderHtml(failingRun(), samples);
    expect(page).toContain(
      '&lt;script&gt;window.__pwned = 1&lt;/script&gt;&lt;img src=x onerror=&quot;window.__pwned = 2&quot;&gt;',
    );
    expect(page).not.toContain(HOSTILE_HEADER);
    expect(page).not.toContain('<img');
    expect(page).not.toContain('<b>bold</b>');
    expect(page).not.toContain('<i>not html</i>');
    // Exactly the page's own three scripts; the hostile journal line shows its control character.
    expect(scripts(page)).toHaveLength(3);
    expect(page).toContain('\\x01&lt;/script&gt;&lt;!--');
    expect(page).not.toContain(HOSTILE_LINE);
    expect(page).toContain('<title>FAIL: l2-harness readiness report, run load-&lt;run&gt;&amp;1</title>');
  });

  it('allows only its own scripts (by hash) and no network in its Content-Security-Policy', () => {
    const page = renderHtml(failingRun(), samples);
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/
      .exec(page)![1]!
      .replace(/&#39;/g, "'");
    const executable = scripts(page).filter((s) => !s.attrs.includes('application/json'));
    expect(executable).toHaveLength(2);
    const hashes = executable.map((s) => `'sha256-${createHash('sha256').update(s.body).digest('base64')}'`);
    expect(csp).toBe(
      `default-src 'none'; script-src ${hashes.join(' ')}; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'`,
    );
    expect(executable[0]!.body).toContain('Chart.js v4');
    // Nothing loads from elsewhere: no element with a src attribute, no stylesheet link or import.
    expect(page).not.toMatch(/<[a-zA-Z][^>]*\ssrc=|<link|@import|url\(/);
  });

  it('embeds chart data with one series per stage, sink and latency path, matching the inputs', () => {
    const charts = chartData(renderHtml(failingRun(), samples));
    expect(charts.map((c) => c.id)).toEqual([...CHART_IDS]);
    const byId = Object.fromEntries(charts.map((c) => [c.id, c.config]));
    const labels = (id: string) => byId[id]!.data.datasets.map((d) => d.label);
    const lengths = (id: string) => byId[id]!.data.datasets.map((d) => d.data.length);
    expect(labels('chart-throughput')).toEqual(['feed.L1', 'feed.L2', 'journal', 'sink.jsonl']);
    expect(lengths('chart-throughput')).toEqual([30, 30, 30, 30]);
    expect(byId['chart-throughput']!.data.datasets[2]!.data[4]).toEqual({ x: 5, y: 4_650 });
    expect(labels('chart-lag')).toEqual(['sink.clickhouse', 'sink.jsonl', 'sink.kafka']);
    expect(labels('chart-latency-pct')).toEqual(['p50', 'p99', 'p99.9', 'max']);
    expect(byId['chart-latency-pct']!.data.labels).toEqual(['feed→journal', 'journal→jsonl']);
    expect(labels('chart-latency-hist')).toEqual(['feed→journal', 'journal→jsonl']);
    expect(byId['chart-latency-hist']!.data.labels).toEqual([
      '≤ 0.5 ms',
      '≤ 1 ms',
      '≤ 2.5 ms',
      '≤ 5 ms',
      '≤ 10 ms',
      '≤ 40 ms',
    ]);
    // feed→journal has no 40 ms bucket and journal→jsonl no 10 ms bucket: gaps, not zeros.
    expect(byId['chart-latency-hist']!.data.datasets[0]!.data[5]).toBeNull();
    expect(byId['chart-latency-hist']!.data.datasets[1]!.data[4]).toBeNull();
    expect(byId['chart-mix']!.data.labels).toEqual(['L1/Q', 'L2/3', 'L2/4']);
    expect(byId['chart-mix']!.data.datasets[0]!.data).toEqual([900, 500, 450]);
    expect(labels('chart-load')).toEqual([
      'achieved rate (msgs/s)',
      'lost (messages)',
      'p99 feed→journal (ms)',
      'p99 journal→jsonl (ms)',
    ]);
    expect(byId['chart-load']!.data.datasets[1]!.data).toEqual([
      { x: 10_000, y: 0 },
      { x: 20_000, y: 0 },
      { x: 40_000, y: 0 },
      { x: 80_000, y: 1_234 },
    ]);
    for (const chart of charts) expect(chart.config.options?.animation, chart.id).toBe(false);
  });

  it('says "not measured in this run" where a run recorded no data, and draws no chart there', () => {
    const bare: RunResults = { ...passingRun(), latency: [], messageMix: {}, load: null, metricsFile: null };
    const page = renderHtml(bare, []);
    expect(chartData(page)).toEqual([]);
    expect(page).not.toContain('<canvas');
    for (const [section, what] of [
      ['throughput', 'Throughput per stage'],
      ['latency', 'Latency'],
      ['lag', 'Lag per sink'],
      ['mix', 'Message mix'],
      ['load', 'Load steps'],
    ] as const) {
      expect(elementById(page, 'section', section), section).toContain(
        `<p class="not-measured">${what}: not measured in this run</p>`,
      );
    }
    const withLoad = renderHtml(failingRun(), samples);
    expect(elementById(withLoad, 'section', 'load')).toContain('<canvas id="chart-load"');
  });

  it('links evidence files into the run directory and marks the missing ones', () => {
    const page = renderHtml(failingRun(), samples, {
      runDirHref: '../..',
      missingFiles: new Set(['books/first-mismatch.json']),
    });
    expect(page).toContain(
      '<a href="../../zero-loss/missing%20lines.txt"><code>zero-loss/missing lines.txt</code></a>',
    );
    expect(page).toContain(
      '<li><code>books/first-mismatch.json</code> <span class="missing-file">(not found in the run directory)</span></li>',
    );
    expect(page).not.toContain('href="../../books/first-mismatch.json"');
  });

  it('gives the same bytes for the same inputs', () => {
    expect(renderHtml(failingRun(), samples)).toBe(renderHtml(failingRun(), samples));
  });

  it('writes no raw control character: every interpolated string shows them as \\xNN', () => {
    const results = failingRun();
    const failed = results.checks.find((c) => !c.pass)!;
    const hostile: RunResults = {
      ...results,
      checks: results.checks.map((c) =>
        c === failed ? { ...c, measured: 'lost 1 at \u0001\u000b\u001b[0m' } : c,
      ),
      run: {
        ...results.run,
        tape: {
          ...results.run.tape!,
          headers: { ...results.run.tape!.headers, source: 'capture \u0000\u0007' },
        },
      },
    };
    const page = renderHtml(hostile, samples, { chartJs: '/* chart.js */' });
    // biome-ignore lint/suspicious/noControlCharactersInRegex: looking for them is the test
    expect(page).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/);
    expect(page).toContain('lost 1 at \\x01\\x0b\\x1b[0m');
    expect(page).toContain('capture \\x00\\x07');
  });
});
