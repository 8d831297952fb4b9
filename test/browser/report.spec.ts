import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { expect, type Page, type TestInfo, test } from '@playwright/test';
import type { MetricsSample, RunResults } from '../../harness/results/types.js';
import { writeReport } from '../../reports/write-report.js';
import {
  FAILING_BOOK_CHECK,
  failingRun,
  HOSTILE_HEADER,
  metricsSamples,
  passingRun,
  writeRunDir,
} from '../reports/run-fixtures.js';

/**
 * The HTML report as a person sees it: generated into a temp dir, opened from disk (file://) in
 * chromium with no server. Checks the verdict, the failing check's row and its evidence link,
 * that every chart is drawn (pixels of each series' colour where Chart.js placed its points and
 * bars) with the series of the fixture, and that hostile text from a tape header stays text.
 */

interface PageDataset {
  readonly label: string;
  readonly data: readonly unknown[];
  readonly backgroundColor: string;
}
interface PageElement {
  readonly x: number;
  readonly y: number;
  readonly base?: number;
  readonly skip?: boolean;
}
interface PageChart {
  readonly data: { readonly labels?: readonly unknown[]; readonly datasets: readonly PageDataset[] };
  readonly options: { readonly animation?: unknown; readonly indexAxis?: string };
  readonly config: { readonly type: string };
  readonly currentDevicePixelRatio: number;
  getDatasetMeta(i: number): { readonly data: readonly PageElement[] };
}
interface PageCanvas {
  readonly width: number;
  readonly height: number;
  getContext(
    kind: '2d',
  ): { getImageData(x: number, y: number, w: number, h: number): { data: ArrayLike<number> } } | null;
}
/** The page's globals that the tests use; typed here because the project's lib has no DOM. */
interface PageGlobals {
  readonly Chart: { getChart(canvas: PageCanvas): PageChart | undefined };
  readonly document: {
    getElementById(id: string): PageCanvas | null;
    addEventListener(
      type: string,
      listener: (e: { violatedDirective: string; blockedURI: string }) => void,
    ): void;
  };
  __csp: string[];
  __pwned?: number;
}

interface DrawnChart {
  readonly labels: string[];
  readonly lengths: number[];
  readonly animation: unknown;
  readonly width: number;
  readonly height: number;
  /** Share of the canvas's pixels that are painted (not transparent). */
  readonly paintedShare: number;
  /** Per dataset: its colour, and the pixel at the drawn element farthest from other series. */
  readonly probes: { label: string; color: string; pixel: number[] | null }[];
}

const samples = metricsSamples(30);
let root = '';
const runs: Record<'pass' | 'fail', { dir: string; results: RunResults; samples: MetricsSample[] }> = {
  pass: { dir: '', results: passingRun(), samples },
  fail: { dir: '', results: failingRun(), samples: metricsSamples(20) },
};

test.beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'l2h-report-browser-'));
  for (const [name, run] of Object.entries(runs)) {
    run.dir = join(root, name);
    await writeRunDir(run.dir, run.results, run.samples, { omitFiles: ['zero-loss/missing lines.txt'] });
    await writeReport(run.dir);
  }
});

test.afterAll(async () => {
  if (root !== '') await rm(root, { recursive: true, force: true });
});

/** Opens a report, recording every request and CSP violation, and waits until its charts are drawn. */
async function openReport(page: Page, which: 'pass' | 'fail'): Promise<{ requests: string[] }> {
  const requests: string[] = [];
  const errors: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  await page.addInitScript(() => {
    const w = globalThis as unknown as PageGlobals;
    w.__csp = [];
    w.document.addEventListener('securitypolicyviolation', (e) =>
      w.__csp.push(`${e.violatedDirective} ${e.blockedURI}`),
    );
  });
  await page.goto(pathToFileURL(join(runs[which].dir, 'report', 'index.html')).href);
  await expect(page.locator('html')).toHaveAttribute('data-charts', 'ready');
  expect(errors).toEqual([]);
  expect(await page.evaluate(() => (globalThis as unknown as PageGlobals).__csp)).toEqual([]);
  return { requests };
}

async function drawnChart(page: Page, id: string): Promise<DrawnChart> {
  return page.evaluate((canvasId) => {
    const g = globalThis as unknown as PageGlobals;
    const canvas = g.document.getElementById(canvasId);
    if (canvas === null) throw new Error(`no canvas #${canvasId}`);
    const chart = g.Chart.getChart(canvas);
    if (chart === undefined) throw new Error(`no chart on #${canvasId}`);
    const ctx = canvas.getContext('2d');
    if (ctx === null) throw new Error('no 2d context');
    const { width, height } = canvas;
    const image = ctx.getImageData(0, 0, width, height).data;
    let painted = 0;
    for (let i = 3; i < image.length; i += 4) if ((image[i] ?? 0) > 0) painted++;
    const dpr = chart.currentDevicePixelRatio;
    const horizontal = chart.options.indexAxis === 'y';
    const isBar = chart.config.type === 'bar';
    // Bars never overlap, so a bar is probed at the middle of its longest bar; points of a line
    // may sit on other series, so a line is probed at its point farthest from every other series.
    const elements = chart.data.datasets.map((d, i) =>
      chart.getDatasetMeta(i).data.filter((e, j) => !e.skip && d.data[j] !== null),
    );
    const probeAt = (i: number): { x: number; y: number } | null => {
      let best: { x: number; y: number } | null = null;
      let bestScore = -1;
      const others = elements.filter((_, k) => k !== i).flat();
      for (const e of elements[i] ?? []) {
        const bar = isBar && e.base !== undefined;
        const spot = !bar
          ? { x: e.x, y: e.y }
          : horizontal
            ? { x: (e.x + e.base!) / 2, y: e.y }
            : { x: e.x, y: (e.y + e.base!) / 2 };
        const score = bar
          ? Math.abs((horizontal ? e.x : e.y) - e.base!)
          : Math.min(Number.POSITIVE_INFINITY, ...others.map((o) => Math.hypot(o.x - e.x, o.y - e.y)));
        if (score > bestScore) {
          best = spot;
          bestScore = score;
        }
      }
      return best;
    };
    const probes = chart.data.datasets.map((d, i) => {
      const at = probeAt(i);
      const pixel =
        at === null
          ? null
          : Array.from(ctx.getImageData(Math.round(at.x * dpr), Math.round(at.y * dpr), 1, 1).data);
      return { label: d.label, color: d.backgroundColor, pixel };
    });
    return {
      labels: chart.data.datasets.map((d) => d.label),
      lengths: chart.data.datasets.map((d) => d.data.length),
      animation: chart.options.animation,
      width,
      height,
      paintedShare: painted / (width * height),
      probes,
    };
  }, id);
}

/** Screenshots are kept as files in the test's output dir (test-results/) and attached to the result. */
async function saveScreenshot(
  testInfo: TestInfo,
  name: string,
  take: (path: string) => Promise<Buffer>,
): Promise<void> {
  const path = testInfo.outputPath(name);
  await take(path);
  await testInfo.attach(name, { path, contentType: 'image/png' });
}

function rgb(hex: string): number[] {
  return [1, 3, 5].map((i) => Number.parseInt(hex.slice(i, i + 2), 16));
}

/** The series of each chart that the fixture implies: labels and number of points. */
function expectedSeries(
  results: RunResults,
  timeline: readonly MetricsSample[],
): Record<string, [string[], number[]]> {
  const keys = (f: 'rates' | 'lag') => [...new Set(timeline.flatMap((s) => Object.keys(s[f])))].sort();
  const bounds = new Set(results.latency.flatMap((l) => l.buckets.map((b) => b.leMs)));
  const out: Record<string, [string[], number[]]> = {
    'chart-throughput': [keys('rates'), keys('rates').map(() => timeline.length)],
    'chart-lag': [keys('lag'), keys('lag').map(() => timeline.length)],
    'chart-latency-pct': [['p50', 'p99', 'p99.9', 'max'], [1, 2, 3, 4].map(() => results.latency.length)],
    'chart-latency-hist': [results.latency.map((l) => l.name), results.latency.map(() => bounds.size)],
    'chart-mix': [['messages sent'], [Object.keys(results.messageMix).length]],
  };
  if (results.load !== null) {
    const paths = [...new Set(results.load.flatMap((s) => s.latency.map((l) => l.name)))];
    const labels = ['achieved rate (msgs/s)', 'lost (messages)', ...paths.map((p) => `p99 ${p} (ms)`)];
    out['chart-load'] = [labels, labels.map(() => results.load!.length)];
  }
  return out;
}

async function expectEveryChartDrawn(page: Page, which: 'pass' | 'fail'): Promise<void> {
  const expected = expectedSeries(runs[which].results, runs[which].samples);
  const canvases = await page.locator('canvas').evaluateAll((els) => els.map((e) => e.id));
  expect(canvases.sort()).toEqual(Object.keys(expected).sort());
  for (const [id, [labels, lengths]] of Object.entries(expected)) {
    const chart = await drawnChart(page, id);
    expect(chart.labels, id).toEqual(labels);
    expect(chart.lengths, id).toEqual(lengths);
    expect(chart.animation, id).toBe(false);
    expect(chart.width * chart.height, id).toBeGreaterThan(100 * 100);
    expect(chart.paintedShare, `${id} painted share`).toBeGreaterThan(0.02);
    for (const probe of chart.probes) {
      expect(probe.pixel, `${id} / ${probe.label}: a drawn element`).not.toBeNull();
      const [r, g, b, a] = probe.pixel!;
      const [er, eg, eb] = rgb(probe.color);
      expect(a, `${id} / ${probe.label}: opaque at its element`).toBeGreaterThan(200);
      const distance = Math.max(Math.abs(r! - er!), Math.abs(g! - eg!), Math.abs(b! - eb!));
      expect(distance, `${id} / ${probe.label}: pixel rgb(${r},${g},${b}) vs ${probe.color}`).toBeLessThan(
        48,
      );
    }
  }
}

test('passing report: PASS verdict, every check passed, every chart drawn with its series', async ({
  page,
}, testInfo) => {
  const { requests } = await openReport(page, 'pass');
  const verdict = page.locator('#verdict');
  await expect(verdict).toHaveAttribute('data-verdict', 'pass');
  await expect(verdict).toHaveText('PASS 4 of 4 checks passed.');
  const results = page.locator('table.checks tbody tr td.result');
  await expect(results).toHaveText(runs.pass.results.checks.map(() => 'PASS'));
  await expectEveryChartDrawn(page, 'pass');
  // A replay run has no load steps: the section says so and draws nothing.
  await expect(page.locator('#load .not-measured')).toHaveText('Load steps: not measured in this run');
  await expect(page.locator('#chart-load')).toHaveCount(0);
  // Opened from disk and stayed there: the page itself, nothing else.
  expect(requests.filter((u) => !u.endsWith('/report/index.html'))).toEqual([]);
  await saveScreenshot(testInfo, 'passing-report.png', (path) => page.screenshot({ fullPage: true, path }));
});

test('failing report: the failing row links to its evidence with the book diff', async ({
  page,
}, testInfo) => {
  await openReport(page, 'fail');
  const verdict = page.locator('#verdict');
  await expect(verdict).toHaveAttribute('data-verdict', 'fail');
  await expect(verdict).toHaveText(
    'FAIL 3 of 5 checks failed: zero-loss.journal-vs-simulator, books.reference, load.max-rate.',
  );
  const check = runs.fail.results.checks.find((c) => c.id === FAILING_BOOK_CHECK)!;
  const row = page.locator(`table.checks tr[data-check-id="${FAILING_BOOK_CHECK}"]`);
  await expect(row).toHaveClass('fail');
  await expect(row.locator('td')).toHaveText([
    'FAIL',
    `${check.title}${check.id}`,
    'books',
    check.threshold,
    check.measured,
    'evidence',
  ]);

  const evidence = page.locator(`article.evidence[data-check-id="${FAILING_BOOK_CHECK}"]`);
  await expect(evidence).not.toBeInViewport();
  await row.getByRole('link', { name: 'evidence' }).click();
  expect(new URL(page.url()).hash).toBe(`#${await evidence.getAttribute('id')}`);
  await expect(evidence).toBeInViewport();
  expect(await evidence.evaluate((el) => el.matches(':target'))).toBe(true);

  const book = evidence.locator('.book-diff');
  await expect(book).toBeVisible();
  await expect(book.locator('p')).toContainText('AAPL at seq 1234: 2 of 3 levels differ.');
  const level2 = book.locator('tr[data-level="2"] td');
  await expect(level2).toHaveText(['2', '40', '585.32', '585.95', '100', '20', '585.32', '585.96', '100']);
  // The differing cells are the ones marked, and the marking is visible (a coloured background).
  const marked: boolean[] = [];
  for (let i = 0; i < 9; i++)
    marked.push(/\bdiffers\b/.test((await level2.nth(i).getAttribute('class')) ?? ''));
  expect(marked).toEqual([false, true, false, true, false, true, false, true, false]);
  await expect(level2.nth(1)).toHaveCSS('background-color', 'rgb(255, 215, 213)');
  await expect(level2.nth(2)).toHaveCSS('background-color', 'rgba(0, 0, 0, 0)');
  await expect(book.locator('tr[data-level="3"] td')).toHaveText([
    '3',
    '7',
    '585.31',
    '—',
    '—',
    '—',
    '—',
    '—',
    '—',
  ]);
  await saveScreenshot(testInfo, 'failing-evidence.png', (path) => evidence.screenshot({ path }));

  // Evidence files open from the run directory; the one the run lacks is marked, not linked.
  const zeroLoss = page.locator('article.evidence[data-check-id="zero-loss.journal-vs-simulator"]');
  await expect(zeroLoss.locator('.files li')).toHaveText([
    'journal/default/journal-000001.tape',
    'zero-loss/missing lines.txt (not found in the run directory)',
  ]);
  await expect(zeroLoss.locator('.files a')).toHaveCount(1);
  const fileHref = new URL((await zeroLoss.locator('.files a').getAttribute('href')) ?? '', page.url()).href;
  expect(fileHref).toBe(pathToFileURL(join(runs.fail.dir, 'journal/default/journal-000001.tape')).href);

  await expectEveryChartDrawn(page, 'fail');
  await saveScreenshot(testInfo, 'failing-report.png', (path) => page.screenshot({ fullPage: true, path }));
});

test('text from the tape stays text: no injected markup runs', async ({ page }) => {
  await openReport(page, 'fail');
  expect(await page.evaluate(() => (globalThis as unknown as PageGlobals).__pwned)).toBeUndefined();
  const sourceHeader = page
    .locator('#identity table.tape-headers tr')
    .filter({ has: page.locator('th', { hasText: /^source$/ }) });
  await expect(sourceHeader.locator('td')).toHaveText(HOSTILE_HEADER);
  await expect(page.locator('body img')).toHaveCount(0);
  await expect(page.locator(`tr[data-check-id="${FAILING_BOOK_CHECK}"] b`)).toHaveCount(0);
  await expect(page).toHaveTitle('FAIL: l2-harness readiness report, run load-<run>&1');
});

test('print layout hides navigation and keeps the charts', async ({ page }, testInfo) => {
  await openReport(page, 'fail');
  await page.emulateMedia({ media: 'print' });
  await expect(page.locator('nav')).toBeHidden();
  await expect(page.locator('#chart-throughput')).toBeVisible();
  const path = testInfo.outputPath('failing-report.pdf');
  const pdf = await page.pdf({ path, format: 'A4', printBackground: true });
  expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
  await testInfo.attach('failing-report.pdf', { path, contentType: 'application/pdf' });
});
