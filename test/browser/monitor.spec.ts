import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test as base, expect, type Page, type TestInfo } from '@playwright/test';
import { type ExpectedBook, lastTradeOf, mbpBookAfter } from './support/expected-book.js';
import {
  type ChannelCounts,
  endSimulator,
  type Simulator,
  startCollector,
  startSimulator,
} from './support/feed-processes.js';
import { readJournal } from './support/journal-lines.js';
import {
  attachScreenshot,
  badgeChanges,
  colourDistance,
  openMonitor,
  readLadder,
  readRateChart,
  recordBadgeChanges,
} from './support/monitor-page.js';
import { bookTape, heartbeatTape, type Tape } from './support/monitor-tapes.js';
import { ProcessGroup, requireBuiltCli } from './support/processes.js';
import { tapeText } from './support/tape.js';

/**
 * The collector's live page in chromium, fed by the real processes: `l2h simulate` replays a tape
 * written here, `l2h collect --monitor` serves the page. Every value the page must show is
 * computed from the tape lines, the simulator's own line counts or the collector's journal file,
 * never from the collector's status.
 */

interface Fixtures {
  workDir: string;
  procs: ProcessGroup;
}

const test = base.extend<Fixtures>({
  // biome-ignore lint/correctness/noEmptyPattern: Playwright reads a fixture's dependencies from this pattern.
  workDir: async ({}, use) => {
    const dir = await mkdtemp(join(tmpdir(), 'l2h-monitor-browser-'));
    await use(dir);
    await rm(dir, { recursive: true, force: true });
  },
  procs: async ({ workDir }, use, testInfo) => {
    const group = new ProcessGroup(workDir);
    try {
      await use(group);
    } finally {
      await group.stopAll();
      if (testInfo.status !== testInfo.expectedStatus) {
        for (const p of group.all()) await testInfo.attach(`${p.name}-stderr.txt`, { body: p.stderrText() });
      }
    }
  },
});

test.beforeAll(() => requireBuiltCli());
// Each test starts two processes and replays a few seconds of market at recorded speed.
test.setTimeout(60_000);

async function writeTape(dir: string, tape: Tape): Promise<string> {
  const path = join(dir, 'test.tape');
  await writeFile(path, tapeText(tape.header, tape.lines), 'latin1');
  return path;
}

/** `--speed 1`: the tape's offsets are the schedule; all-watched: nothing is sent before both ports watch. */
const PACED = ['--speed', '1', '--start', 'all-watched'];

/** The ladder the page must draw: five rows, best first, blank where the book has no level. */
function expectedLadder(book: ExpectedBook) {
  return [0, 1, 2, 3, 4].map((i) => {
    const bid = book.bids[i];
    const ask = book.asks[i];
    return {
      bidSize: bid ? String(bid.size) : '',
      bid: bid ? String(bid.price) : '',
      ask: ask ? String(ask.price) : '',
      askSize: ask ? String(ask.size) : '',
    };
  });
}

async function counter(page: Page, name: string): Promise<string> {
  return (await page.locator(`[data-counter="${name}"]`).textContent()) ?? '';
}

test('shows the books, last trades, line counts and the malformed line of a known tape', async ({
  page,
  workDir,
  procs,
}, testInfo) => {
  const tape = bookTape(20250725);
  const sim = await startSimulator(procs, { tape: await writeTape(workDir, tape), args: PACED });
  const collector = await startCollector(procs, {
    symbols: tape.symbols,
    ports: sim.ports,
    l2: 'mbp',
    dir: workDir,
  });
  const { errors } = await openMonitor(page, collector.monitorUrl);

  // The replay's data part is over once the collector has journaled its last data line; then
  // the simulator is ended, so its final counts are what the collector can ever have received.
  await expect
    .poll(async () => (await readJournal(collector.sessionDir)).some((l) => l.line === tape.lastDataLine), {
      message: 'the collector journals the last data line of the tape',
      timeout: 20_000,
    })
    .toBe(true);
  const sent = await endSimulator(sim);

  // Counters: lines per channel equal what the simulator says it sent.
  await expect(page.locator('[data-counter="lines-L1"]')).toHaveText(String(sent.L1), { timeout: 10_000 });
  await expect(page.locator('[data-counter="lines-L2"]')).toHaveText(String(sent.L2));
  await attachScreenshot(page, testInfo, 'monitor-after-replay');

  // Books: every symbol's ladder and top of book equal the book its tape lines build.
  for (const symbol of tape.symbols) {
    const book = mbpBookAfter(tape.lines, symbol);
    const card = page.locator(`[data-symbol="${symbol}"]`);
    await expect(card).toHaveAttribute('data-family', 'mbp');
    expect(await readLadder(page, symbol), `${symbol} ladder`).toEqual(expectedLadder(book));
    await expect(card.locator('[data-field="best-bid"]')).toHaveText(String(book.bids[0]!.price));
    await expect(card.locator('[data-field="best-bid-size"]')).toHaveText(String(book.bids[0]!.size));
    await expect(card.locator('[data-field="best-ask"]')).toHaveText(String(book.asks[0]!.price));
    await expect(card.locator('[data-field="best-ask-size"]')).toHaveText(String(book.asks[0]!.size));

    const trade = lastTradeOf(tape.lines, symbol);
    expect(trade, `${symbol} traded on the tape`).not.toBeNull();
    await expect(card.locator('[data-field="last-trade-price"]')).toHaveText(String(trade!.price));
    await expect(card.locator('[data-field="last-trade-size"]')).toHaveText(String(trade!.size));
    await expect(card.locator('[data-field="last-trade-time"]')).toHaveText(trade!.timestamp);
  }
  // The tape was built so that AAPL has more levels than the ladder's five and MSFT fewer:
  // both the cut and the blanks are exercised.
  expect(mbpBookAfter(tape.lines, 'AAPL').bids.length).toBeGreaterThan(5);
  expect(mbpBookAfter(tape.lines, 'MSFT').bids.length).toBeLessThan(5);

  // The malformed line: one row, with the seq the journal gave that line.
  const journal = await readJournal(collector.sessionDir);
  const bad = journal.filter((l) => l.line === tape.malformed);
  expect(bad.map((l) => l.channel)).toEqual(['L2']);
  expect(await counter(page, 'malformed')).toBe('1');
  const rows = page.locator('#malformed-table tbody tr');
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toHaveAttribute('data-seq', String(bad[0]!.seq));
  await expect(rows.first().locator('td')).toHaveText([String(bad[0]!.seq), 'L2', /.+/, tape.malformed]);

  // The journal panel: the seq of the last line, which is the number of lines in the journal.
  const journalBox = page.locator('#journal');
  await expect(journalBox.locator('[data-field="durable-seq"]')).toHaveText(String(journal.length));
  await expect(journalBox.locator('[data-field="head-seq"]')).toHaveText(String(journal.length));

  await expectRateChartAccountsForEveryLine(page, collector.monitorUrl, collector.sessionDir, sent, testInfo);
  expect(errors).toEqual([]);
});

/**
 * The rate chart of a page opened after the run: its L1 and L2 series are the collector's
 * per-second history, and rate × interval summed over the chart gives back every line the
 * simulator sent after the chart's first sample (the journal tells which lines came before it).
 */
async function expectRateChartAccountsForEveryLine(
  page: Page,
  url: string,
  sessionDir: string,
  sent: ChannelCounts,
  testInfo: TestInfo,
): Promise<void> {
  // Once a sample after the last line is taken, every later one is zero: the simulator is gone.
  await expect(page.locator('[data-rate="L1"]')).toHaveText('0', { timeout: 5000 });
  await expect(page.locator('[data-rate="L2"]')).toHaveText('0');
  const historyResponse = await page.request.get(new URL('api/history', url).href);
  expect(historyResponse.ok()).toBe(true);
  const history = (await historyResponse.json()) as { t: number; rates: Record<string, number> }[];

  const fresh = await page.context().newPage();
  const { errors } = await openMonitor(fresh, url);
  const series = await readRateChart(fresh);
  expect(series.map((s) => s.label)).toEqual(['L1', 'L2', 'admin']);
  const journal = await readJournal(sessionDir);

  for (const channel of ['L1', 'L2'] as const) {
    const s = series.find((x) => x.label === channel)!;
    const xs = s.points.map((p) => p.x);
    expect(xs.length, `${channel} points`).toBeGreaterThanOrEqual(history.length);
    expect(
      xs.every((x, i) => i === 0 || x > xs[i - 1]!),
      `${channel} x increasing`,
    ).toBe(true);
    // Every sample the collector had before the page opened is on the chart, value for value.
    const plotted = new Map(s.points.map((p) => [p.x, p.y]));
    expect(
      history.map((h) => [h.t, plotted.get(h.t)]),
      `${channel} series vs /api/history`,
    ).toEqual(history.map((h) => [h.t, h.rates[channel]]));
    expect(s.points.filter((p) => p.y > 0).length, `${channel} non-zero points`).toBeGreaterThan(1);

    // Lines per interval = rate × seconds; the first point's interval is not on the chart.
    let drawn = 0;
    for (let i = 1; i < s.points.length; i++) {
      drawn += (s.points[i]!.y * (s.points[i]!.x - s.points[i - 1]!.x)) / 1000;
    }
    const firstT = s.points[0]!.x;
    const mine = journal.filter((l) => l.channel === channel);
    const near = mine.filter((l) => Math.abs(l.atMs - firstT) < 300);
    expect(
      near,
      `${channel}: no line arrives within 300 ms of the first sample (the test's premise)`,
    ).toEqual([]);
    const before = mine.filter((l) => l.atMs < firstT).length;
    expect(Math.round(drawn), `${channel}: lines the chart accounts for`).toBe(sent[channel] - before);
    expect(Math.abs(drawn - Math.round(drawn))).toBeLessThan(1e-6);

    // And Chart.js drew it: the series' colour where it placed its most distinct point.
    expect(s.pixel, `${channel}: a painted pixel at its point`).not.toBeNull();
    expect(colourDistance(s.pixel!, s.color), `${channel} pixel ${s.pixel} vs ${s.color}`).toBeLessThan(64);
  }
  await attachScreenshot(fresh, testInfo, 'monitor-fresh-page-chart');
  expect(errors).toEqual([]);
  await fresh.close();
}

test('a feed disconnect turns the badge red within 2 s, and green again once the feed is back', async ({
  page,
  workDir,
  procs,
}, testInfo) => {
  const tapePath = await writeTape(workDir, heartbeatTape());
  const first = await startSimulator(procs, { tape: tapePath, args: PACED });
  const collector = await startCollector(procs, {
    symbols: ['AAPL'],
    ports: first.ports,
    l2: 'mbp',
    dir: workDir,
  });
  const { errors } = await openMonitor(page, collector.monitorUrl);
  const badge = page.locator('#status-badge');
  await expect(badge).toHaveAttribute('data-state', 'ok', { timeout: 10_000 });
  for (const ch of ['L1', 'L2', 'ADMIN'] as const) {
    const row = page.locator(`[data-port="${ch}"]`);
    await expect(row).toHaveAttribute('data-connected', 'true');
    await expect(row.locator('[data-field="endpoint"]')).toHaveText(`127.0.0.1:${first.ports[ch]}`);
  }
  await recordBadgeChanges(page);

  // IQConnect dies: SIGKILL, so the kernel closes its sockets with no goodbye.
  const killedAt = Date.now();
  first.proc.kill();
  await first.proc.exited;
  await expect(badge).toHaveAttribute('data-state', 'down', { timeout: 5000 });
  const downAt = (await badgeChanges(page)).find((c) => c.state === 'down' && c.atMs >= killedAt)!.atMs;
  const toRed = downAt - killedAt;
  testInfo.annotations.push({ type: 'disconnect → red (ms)', description: String(toRed) });
  expect(toRed, 'ms from the kill to a red badge').toBeLessThanOrEqual(2000);
  for (const ch of ['L1', 'L2', 'ADMIN'] as const) {
    await expect(page.locator(`[data-port="${ch}"]`)).toHaveAttribute('data-connected', 'false');
  }
  // Red because of the feed: the page still hears the collector.
  await expect(page.locator('#link-state')).toHaveAttribute('data-link', 'open');
  await attachScreenshot(page, testInfo, 'monitor-feed-down');

  // IQConnect comes back on the same ports; the collector reconnects with its backoff.
  const second: Simulator = await startSimulator(procs, { tape: tapePath, ports: first.ports, args: PACED });
  const backAt = Date.now();
  await expect(badge).toHaveAttribute('data-state', 'ok', { timeout: 20_000 });
  const okAt = (await badgeChanges(page)).find((c) => c.state === 'ok' && c.atMs >= backAt)!.atMs;
  testInfo.annotations.push({ type: 'feed back → green (ms)', description: String(okAt - backAt) });
  for (const ch of ['L1', 'L2', 'ADMIN'] as const) {
    const row = page.locator(`[data-port="${ch}"]`);
    await expect(row).toHaveAttribute('data-connected', 'true');
    // One restart, so one reconnect per port.
    await expect(row.locator('[data-field="reconnects"]')).toHaveText('1');
  }
  await attachScreenshot(page, testInfo, 'monitor-feed-back');
  await endSimulator(second);
  expect(errors).toEqual([]);
});
