/**
 * Reading the collector's monitor page (collector/monitor/page) the way a person sees it: the
 * badge and when it changed, a symbol's ladder, the rate chart's series and whether Chart.js
 * painted them. The page's globals are typed here because the project's lib has no DOM.
 */
import { expect, type Page, type TestInfo } from '@playwright/test';

interface ChartPoint {
  readonly x: number;
  readonly y: number;
}
interface PageChart {
  readonly data: {
    readonly datasets: readonly {
      readonly label: string;
      readonly data: readonly ChartPoint[];
      readonly borderColor: string;
    }[];
  };
  readonly currentDevicePixelRatio: number;
  getDatasetMeta(i: number): { readonly data: readonly { readonly x: number; readonly y: number }[] };
}
interface PageCanvas {
  getContext(
    kind: '2d',
  ): { getImageData(x: number, y: number, w: number, h: number): { data: ArrayLike<number> } } | null;
}
interface PageElement {
  getAttribute(name: string): string | null;
}
interface BadgeChange {
  readonly state: string;
  readonly atMs: number;
}
interface PageGlobals {
  readonly Chart: { getChart(canvas: PageCanvas): PageChart | undefined };
  readonly document: {
    getElementById(id: string): (PageCanvas & PageElement) | null;
  };
  readonly MutationObserver: new (
    callback: () => void,
  ) => { observe(target: PageElement, options: { attributes: boolean; attributeFilter: string[] }): void };
  __badge?: BadgeChange[];
}

export interface OpenedMonitor {
  /** Uncaught exceptions and console errors seen on the page so far. */
  readonly errors: string[];
}

/** Opens the page and waits until its WebSocket is open and the first status is drawn. */
export async function openMonitor(page: Page, url: string): Promise<OpenedMonitor> {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  await page.goto(url);
  await expect(page.locator('#link-state')).toHaveAttribute('data-link', 'open');
  await expect(page.locator('header.top [data-field="session"]')).not.toHaveText('—');
  return { errors };
}

/**
 * Records every change of the badge's `data-state` with the browser's `Date.now()` — the same
 * system clock as the test's, so a change can be timed against an event the test caused.
 */
export async function recordBadgeChanges(page: Page): Promise<void> {
  await page.evaluate(() => {
    const g = globalThis as unknown as PageGlobals;
    const badge = g.document.getElementById('status-badge');
    if (badge === null) throw new Error('no #status-badge');
    const log: BadgeChange[] = [{ state: badge.getAttribute('data-state') ?? '', atMs: Date.now() }];
    g.__badge = log;
    new g.MutationObserver(() => {
      const state = badge.getAttribute('data-state') ?? '';
      if (log[log.length - 1]?.state !== state) log.push({ state, atMs: Date.now() });
    }).observe(badge, { attributes: true, attributeFilter: ['data-state'] });
  });
}

export async function badgeChanges(page: Page): Promise<BadgeChange[]> {
  return page.evaluate(() => (globalThis as unknown as PageGlobals).__badge ?? []);
}

export interface LadderRow {
  readonly bidSize: string;
  readonly bid: string;
  readonly ask: string;
  readonly askSize: string;
}

export async function readLadder(page: Page, symbol: string): Promise<LadderRow[]> {
  const rows = page.locator(`[data-symbol="${symbol}"] tr[data-level]`);
  const out: LadderRow[] = [];
  for (let i = 0; i < (await rows.count()); i++) {
    const row = rows.nth(i);
    expect(await row.getAttribute('data-level')).toBe(String(i));
    const cell = (name: string) => row.locator(`[data-cell="${name}"]`).textContent();
    out.push({
      bidSize: (await cell('bid-size')) ?? '',
      bid: (await cell('bid-price')) ?? '',
      ask: (await cell('ask-price')) ?? '',
      askSize: (await cell('ask-size')) ?? '',
    });
  }
  return out;
}

export interface ChartSeries {
  readonly label: string;
  readonly color: string;
  readonly points: readonly ChartPoint[];
  /**
   * The canvas pixel (r, g, b, a), of those at least half opaque next to where Chart.js placed
   * this series' point farthest from the other series, nearest to the series' colour; null when
   * none is painted. The series' own colour there shows it was drawn where its data says.
   */
  readonly pixel: readonly number[] | null;
}

export async function readRateChart(page: Page): Promise<ChartSeries[]> {
  return page.evaluate(() => {
    const g = globalThis as unknown as PageGlobals;
    const canvas = g.document.getElementById('chart-rates');
    if (canvas === null) throw new Error('no #chart-rates');
    const chart = g.Chart.getChart(canvas);
    if (chart === undefined) throw new Error('no chart on #chart-rates');
    const ctx = canvas.getContext('2d');
    if (ctx === null) throw new Error('no 2d context on #chart-rates');
    const dpr = chart.currentDevicePixelRatio;
    const placed = chart.data.datasets.map((_, i) => chart.getDatasetMeta(i).data);
    return chart.data.datasets.map((d, i) => {
      // Every series shares the x values, so the other series at the same index are the ones
      // that could paint over this point.
      const others = placed.filter((_, k) => k !== i);
      let best: { x: number; y: number } | null = null;
      let bestDistance = -1;
      const mine = placed[i] ?? [];
      for (let j = 0; j < mine.length; j++) {
        const e = mine[j]!;
        const distance = Math.min(
          Number.POSITIVE_INFINITY,
          ...others.map((o) => Math.abs((o[j]?.y ?? Number.POSITIVE_INFINITY) - e.y)),
        );
        if (distance > bestDistance) {
          best = e;
          bestDistance = distance;
        }
      }
      // A 1.5 px anti-aliased line covers its centre pixel only partly, and at one second per
      // ~1.5 px the other series' near-vertical segments pass close by: take the pixel of the
      // 3×3 around the point that is nearest to the series' own colour.
      const want = [1, 3, 5].map((k) => Number.parseInt(d.borderColor.slice(k, k + 2), 16));
      let pixel: number[] | null = null;
      let pixelDistance = Number.POSITIVE_INFINITY;
      if (best !== null) {
        const at = best as { x: number; y: number };
        const patch = ctx.getImageData(Math.floor(at.x * dpr) - 1, Math.floor(at.y * dpr) - 1, 3, 3).data;
        for (let k = 0; k < 9; k++) {
          const px = [0, 1, 2, 3].map((c) => patch[k * 4 + c] ?? 0);
          if (px[3]! < 128) continue;
          const distance = Math.max(...want.map((w, c) => Math.abs(px[c]! - w)));
          if (distance < pixelDistance) {
            pixel = px;
            pixelDistance = distance;
          }
        }
      }
      return {
        label: d.label,
        color: d.borderColor,
        points: d.data.map((p) => ({ x: p.x, y: p.y })),
        pixel,
      };
    });
  });
}

/** Largest per-channel difference between a pixel and a `#rrggbb` colour. */
export function colourDistance(pixel: readonly number[], hex: string): number {
  const want = [1, 3, 5].map((i) => Number.parseInt(hex.slice(i, i + 2), 16));
  return Math.max(...want.map((w, i) => Math.abs((pixel[i] ?? 0) - w)));
}

/** A full-page screenshot kept in the test's output dir and attached to its result. */
export async function attachScreenshot(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  const path = testInfo.outputPath(`${name}.png`);
  await page.screenshot({ path, fullPage: true });
  await testInfo.attach(name, { path, contentType: 'image/png' });
}
