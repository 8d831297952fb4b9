import { cp } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Journal } from '../../../collector/journal/journal.js';
import { resolveCollectorOptions } from '../../../collector/pipeline/options.js';
import { deriverHeaderEntries } from '../../../collector/records/journal-headers.js';
import { ManualClock } from '../../../common/clock.js';
import { generateInMemory } from '../../../fixtures/generate/generate.js';
import { type Spawned, spawnCollect } from '../../collector/pipeline/child.js';
import { closedPort, tempDir, until } from '../../collector/pipeline/helpers.js';

/**
 * Stopping `l2h collect`: a signal during start-up, and the bounds of the timers that a stop
 * (and the running collector) depends on.
 */

const SESSION = 'slow-start';
/** Enough lines that re-deriving them on resume takes well over a second. */
const JOURNAL_LINES = 200_000;

let dir = { path: '', cleanup: async () => {} };
/** A journal session to resume; each test resumes its own copy. */
let journalTemplate = '';

beforeAll(async () => {
  dir = await tempDir('cli-collect-stop');
  journalTemplate = join(dir.path, 'journal-template');
  const day = generateInMemory({ seed: 7, lines: JOURNAL_LINES, symbols: 'AAPL,MSFT=mbo' });
  const startUs = Number(day.headers.find(([k]) => k === 'start-us')?.[1]);
  const clock = new ManualClock(startUs);
  const journal = await Journal.open({
    dir: journalTemplate,
    session: SESSION,
    clock,
    headers: deriverHeaderEntries({
      symbols: ['AAPL', 'MSFT'],
      families: { AAPL: 'mbp', MSFT: 'mbo' },
      depth: 10,
    }),
  });
  for (const l of day.lines) journal.append(l.channel, l.line, startUs + l.offsetUs);
  await journal.close();
});

afterAll(async () => {
  await dir.cleanup();
});

async function args(name: string, logLevel = 'warn'): Promise<string[]> {
  const port = String(await closedPort());
  return [
    '--symbols',
    'AAPL,MSFT',
    '--l2',
    'MSFT=mbo',
    '--port-l1',
    port,
    '--port-l2',
    port,
    '--port-admin',
    port,
    '--data-dir',
    join(dir.path, name, 'data'),
    '--journal-dir',
    join(dir.path, name, 'journal'),
    '--log-level',
    logLevel,
  ];
}

/** The child has exited, by a code or killed by a signal. */
function exited(c: Spawned): boolean {
  return c.child.exitCode !== null || c.child.signalCode !== null;
}

/** Resume a copy of the big journal, and wait until start-up is under way (the journal is open). */
async function resumingCollector(name: string): Promise<Spawned> {
  await cp(journalTemplate, join(dir.path, name, 'journal'), { recursive: true });
  const c = spawnCollect([...(await args(name, 'info')), '--session', SESSION]);
  await until(
    () => c.stderr().includes('journal session resumed') || exited(c),
    'the collector to open the journal',
  );
  expect(exited(c), c.stderr()).toBe(false);
  // Start-up is not over: the journal is still being re-derived, no `ready` yet.
  expect(c.stdout).toEqual([]);
  return c;
}

/** Exit of a collector expected to refuse its flags; one that starts anyway is stopped and reported. */
async function refused(flags: string[]): Promise<{ code: number | null; started: boolean; stderr: string }> {
  const c = spawnCollect(flags);
  // `ready` rejects when the child exits first: that is the refusal we expect.
  const started = await c.ready.then(
    () => true,
    () => false,
  );
  if (started) c.child.kill('SIGTERM');
  const end = await c.exit;
  return { code: end.code, started, stderr: c.stderr() };
}

describe('l2h collect: a signal during start-up', () => {
  it('stops gracefully (stopped line, exit 0) on SIGTERM while it re-derives the journal', async () => {
    const c = await resumingCollector('term-during-startup');
    c.child.kill('SIGTERM');
    const end = await c.exit;
    expect(end, c.stderr()).toEqual({ code: 0, signal: null });
    // The signal really came during start-up, not after it.
    expect(c.stderr()).toContain('signal during start-up');
    const events = c.stdout.map((l) => JSON.parse(l) as { event: string });
    expect(events.map((e) => e.event)).toEqual(['ready', 'stopped']);
    expect(events[0]).toMatchObject({ session: SESSION, resumed: true });
    expect(events[1]).toMatchObject({ session: SESSION, sinksDrained: true, error: null });
    expect(c.stderr()).toContain('collector stopped');
  });

  it('exits at once (exit 1) on a second signal during start-up', async () => {
    const c = await resumingCollector('two-signals-during-startup');
    c.child.kill('SIGTERM');
    await until(
      () => c.stderr().includes('signal during start-up') || exited(c),
      'the collector to note the first signal',
    );
    c.child.kill('SIGINT');
    const end = await c.exit;
    expect(end, c.stderr()).toEqual({ code: 1, signal: null });
    expect(c.stderr()).toContain('second signal: exiting now');
    expect(c.stdout).toEqual([]);
  });
});

describe('l2h collect: timer-backed flags', () => {
  it('refuses a delay longer than a Node timer can hold, naming the flag and the maximum', async () => {
    const base = await args('timers');
    const drain = await refused([...base, '--drain-timeout-s', '3000000']);
    expect(drain, drain.stderr).toMatchObject({ code: 2, started: false });
    expect(drain.stderr).toMatch(/--drain-timeout-s must be at most 2147483 \(about 24\.8 days/);
    const flush = await refused([...base, '--flush-ms', '2147483648']);
    expect(flush, flush.stderr).toMatchObject({ code: 2, started: false });
    expect(flush.stderr).toMatch(/--flush-ms must be at most 2147483647 /);
    const stale = await refused([...base, '--stale-ms', '2147483648']);
    expect(stale, stale.stderr).toMatchObject({ code: 2, started: false });
    expect(stale.stderr).toMatch(/--stale-ms must be at most 2147483647 /);
  });

  it('accepts the longest drain timeout and still stops with exit 0', async () => {
    const c = spawnCollect([...(await args('longest-drain')), '--drain-timeout-s', '2147483']);
    await c.ready;
    c.child.kill('SIGTERM');
    const end = await c.exit;
    expect(end.code, c.stderr()).toBe(0);
    expect(c.stderr()).not.toContain('TimeoutOverflowWarning');
    expect(JSON.parse(c.stdout.at(-1)!)).toMatchObject({ event: 'stopped', sinksDrained: true, error: null });
  });

  it('refuses the same in the collector options, for callers other than the CLI', () => {
    const base = { symbols: ['AAPL'], dataDir: 'data', journalDir: 'journal' };
    expect(() => resolveCollectorOptions({ ...base, drainTimeoutMs: 2 ** 31 })).toThrow(
      /drain timeout must be at most 2147483647 ms/,
    );
    expect(() => resolveCollectorOptions({ ...base, flushMs: 2 ** 31 })).toThrow(
      /--flush-ms\) must be at most 2147483647 ms/,
    );
    expect(resolveCollectorOptions({ ...base, drainTimeoutMs: 2 ** 31 - 1 }).drainTimeoutMs).toBe(
      2 ** 31 - 1,
    );
  });
});
