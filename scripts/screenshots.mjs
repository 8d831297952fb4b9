#!/usr/bin/env node
// @ts-check
/**
 * Regenerates the README's screenshots from the built CLI and Debian's chromium:
 *
 *   docs/screenshots/monitor.png  the collector's live page while `l2h simulate --speed 25`
 *                                 replays a generated hour around the open (six symbols, every
 *                                 book family), taken after SCREENSHOT_SECONDS (default 120)
 *   docs/screenshots/report.png   the top of the HTML report of a real `l2h replay --rate 2000`
 *                                 run of a generated tape: verdict, checks table and the
 *                                 throughput and lag charts (the long per-check evidence section
 *                                 is folded away for the picture)
 *
 * Usage: npm run build && node scripts/screenshots.mjs [monitor] [report]   (both by default)
 * Env:   CHROMIUM_PATH (default /usr/bin/chromium), SCREENSHOT_SECONDS, SCREENSHOT_DIR.
 * Everything runs on loopback in a private temp dir; every process started here is ended.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium } from '@playwright/test';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const CLI = join(ROOT, 'dist', 'cli', 'main.js');
const OUT = process.env.SCREENSHOT_DIR ?? join(ROOT, 'docs', 'screenshots');
const SECONDS = Number(process.env.SCREENSHOT_SECONDS ?? '120');
const MAX_BYTES = 400 * 1024;

/** @type {Set<import('node:child_process').ChildProcess>} */
const children = new Set();
process.once('exit', () => {
  for (const c of children) c.kill('SIGKILL');
});

/** @param {string} msg */
function fail(msg) {
  process.stderr.write(`screenshots: ${msg}\n`);
  process.exit(1);
}

/** `node dist/cli/main.js …` to completion; its output goes to ours. @param {string[]} args @param {string} cwd */
function runCli(args, cwd) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) fail(`l2h ${args.join(' ')} exited ${r.status ?? r.signal}`);
}

/**
 * `node dist/cli/main.js …` in the background; resolves with its first stdout JSON line whose
 * `event` is `ready`.
 * @param {string[]} args
 * @param {string} cwd
 * @returns {Promise<{ child: import('node:child_process').ChildProcess, ready: Record<string, any> }>}
 */
function startCli(args, cwd) {
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd,
    env: { ...process.env, CI: 'true' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`l2h ${args[0]}: no ready line in 20 s`)), 20_000);
    child.once('exit', (code) => reject(new Error(`l2h ${args[0]} exited ${code} before it was ready`)));
    createInterface({ input: /** @type {import('node:stream').Readable} */ (child.stdout) }).on(
      'line',
      (line) => {
        if (!line.startsWith('{')) return;
        const event = JSON.parse(line);
        if (event.event === 'ready') {
          clearTimeout(timer);
          resolve({ child, ready: event });
        }
      },
    );
  });
}

/** @param {import('node:child_process').ChildProcess} child */
async function stop(child) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/** The `#key value` headers of a tape. @param {string} path */
async function tapeHeaders(path) {
  /** @type {Record<string, string>} */
  const headers = {};
  for (const line of (await readFile(path, 'latin1')).split('\n')) {
    if (!line.startsWith('#')) break;
    const space = line.indexOf(' ');
    headers[line.slice(1, space)] = line.slice(space + 1);
  }
  return headers;
}

async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run'],
  });
}

/** @param {string} path */
async function report(path) {
  const { size } = await stat(path);
  process.stdout.write(`screenshots: wrote ${path} (${Math.round(size / 1024)} KiB)\n`);
  if (size > MAX_BYTES) process.stderr.write(`screenshots: ${path} is over ${MAX_BYTES / 1024} KiB\n`);
}

/** @param {string} tmp */
async function monitorShot(tmp) {
  const tape = join(tmp, 'hour.tape');
  // An hour around the open at 25× lasts 144 s: still replaying when the picture is taken, with
  // the 09:30 burst about 36 s in.
  runCli(
    ['generate', '--seed', '42', '--lines', '60000', '--start', '09:15', '--end', '10:15', '--out', tape],
    tmp,
  );
  const headers = await tapeHeaders(tape);
  const sim = await startCli(
    [
      'simulate',
      '--tape',
      tape,
      '--port-l1',
      '0',
      '--port-l2',
      '0',
      '--port-admin',
      '0',
      '--speed',
      '25',
      '--start',
      'all-watched',
      '--log-level',
      'warn',
    ],
    tmp,
  );
  const ports = sim.ready.ports;
  const collector = await startCli(
    [
      'collect',
      '--symbols',
      headers.symbols ?? fail('tape has no #symbols'),
      '--l2',
      headers.l2 ?? 'mbp',
      '--port-l1',
      String(ports.L1),
      '--port-l2',
      String(ports.L2),
      '--port-admin',
      String(ports.ADMIN),
      '--sinks',
      'jsonl',
      '--data-dir',
      join(tmp, 'data'),
      '--journal-dir',
      join(tmp, 'journal'),
      '--monitor',
      '127.0.0.1:0',
      '--log-level',
      'warn',
    ],
    tmp,
  );
  const browser = await launch();
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(collector.ready.monitor);
    await page.locator('#link-state[data-link="open"]').waitFor();
    process.stdout.write(`screenshots: letting the monitor fill for ${SECONDS} s\n`);
    const until = Date.now() + SECONDS * 1000;
    // Waits on the page's own clock so the picture is taken right after a status push.
    while (Date.now() < until) {
      await page.waitForFunction(
        (t) => Date.parse(document.querySelector('[data-field="now"]')?.textContent ?? '') >= t,
        Math.min(until, Date.now() + 10_000),
        { timeout: 15_000 },
      );
    }
    const path = join(OUT, 'monitor.png');
    await page.screenshot({ path, fullPage: true });
    await report(path);
  } finally {
    await browser.close();
    await stop(collector.child);
    await stop(sim.child);
  }
}

/** @param {string} tmp */
async function reportShot(tmp) {
  // Relative paths: the report quotes its command line. A paced rate gives the metrics
  // timeline a sample a second for the charts (at --speed max the run is over in two).
  runCli(['generate', '--seed', '7', '--lines', '40000', '--out', 'day.tape'], tmp);
  runCli(['replay', '--tape', 'day.tape', '--rate', '2000', '--out', 'run'], tmp);
  const run = join(tmp, 'run');
  const browser = await launch();
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1900 } });
    await page.goto(pathToFileURL(join(run, 'report', 'index.html')).href);
    await page.locator('html[data-charts="ready"]').waitFor();
    await page.addStyleTag({ content: '#evidence { display: none !important; }' });
    const path = join(OUT, 'report.png');
    await page.screenshot({ path });
    await report(path);
  } finally {
    await browser.close();
  }
}

async function main() {
  if (!existsSync(CLI)) fail(`${CLI} is missing: run \`npm run build\` first`);
  const wanted = process.argv.slice(2);
  const which = wanted.length === 0 ? ['monitor', 'report'] : wanted;
  for (const w of which)
    if (w !== 'monitor' && w !== 'report') fail(`unknown screenshot "${w}": monitor, report`);
  await mkdir(OUT, { recursive: true });
  const tmp = await mkdtemp(join(tmpdir(), 'l2h-screenshots-'));
  try {
    if (which.includes('report')) await reportShot(tmp);
    if (which.includes('monitor')) await monitorShot(tmp);
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

main().catch((err) => fail(err instanceof Error ? (err.stack ?? err.message) : String(err)));
