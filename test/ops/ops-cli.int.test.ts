/**
 * Day-to-day operations through the real CLI, as a user types them: `l2h simulate` on free ports
 * with a small tape written here, then `l2h start`, `status`, `logs`, `stop` (built CLI: run
 * `npm run build` first; `npm test` does).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_L1_FIELDS } from '../../collector/feed/index.js';
import { l2hCliPath } from '../../common/cli-path.js';

const CLI = l2hCliPath();
const D = '09:30:00.000100,2024-06-21,';
const Q = (symbol: string, bid: string, tick: number, type = 'Q'): string =>
  `${type},${symbol},134.62,100,09:30:00.000100,11,5000,${bid},300,134.65,700,134.50,134.70,134.40,134.00,C,01,${tick},09:30:00.000100,09:30:00.000100,06/21/2024,`;

/** L1 and L2 for two symbols, an IQConnect server disconnect and reconnect (a gap per symbol), more data. */
function tapeText(): { text: string; l1: number; l2: number } {
  const body: [number, 'L1' | 'L2', string][] = [
    [0, 'L1', `S,CURRENT UPDATE FIELDNAMES,${DEFAULT_L1_FIELDS.join(',')}`],
    [0, 'L1', Q('AAPL', '134.61', 1, 'P')],
    [0, 'L1', Q('MSFT', '250.10', 1, 'P')],
    [0, 'L2', `7,AAPL,B,134.6100,300,1,4,${D}`],
    [0, 'L2', `7,AAPL,A,134.6500,700,3,4,${D}`],
    [0, 'L2', `7,MSFT,B,250.1000,100,1,4,${D}`],
    [0, 'L2', `7,MSFT,A,250.2000,100,1,4,${D}`],
  ];
  for (let i = 1; i <= 40; i++) {
    body.push([i * 1000, 'L2', `8,AAPL,B,134.${String(10 + (i % 50)).padStart(2, '0')}00,${i},1,4,${D}`]);
    body.push([
      i * 1000 + 500,
      'L2',
      `8,MSFT,A,250.${String(20 + (i % 50)).padStart(2, '0')}00,${i},1,4,${D}`,
    ]);
    if (i % 10 === 0) body.push([i * 1000 + 700, 'L1', Q('AAPL', `134.${50 + i}`, i + 1)]);
  }
  body.push([50_000, 'L2', 'S,SERVER DISCONNECTED']);
  body.push([60_000, 'L2', 'S,SERVER CONNECTED']);
  body.push([61_000, 'L2', `8,AAPL,B,134.9900,5,1,4,${D}`]);
  body.push([62_000, 'L2', `8,MSFT,A,250.9900,5,1,4,${D}`]);
  const text = `#l2tape 1\n#symbols AAPL,MSFT\n#l2 mbp\n#date 2024-06-21\n${body.map(([us, ch, l]) => `${us}\t${ch}\t${l}`).join('\n')}\n`;
  return { text, l1: body.filter((b) => b[1] === 'L1').length, l2: body.filter((b) => b[1] === 'L2').length };
}

interface Run {
  readonly code: number | null;
  readonly out: string;
  readonly err: string;
}

/** Collectors our `l2h start` runs started, killed in afterAll should a test fail before stopping them. */
const started = new Set<number>();

function l2h(args: readonly string[], cwd: string, timeoutMs = 60_000): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd, env: { ...process.env, CI: 'true' } });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`l2h ${args.join(' ')} did not finish in ${timeoutMs} ms\n${out}\n${err}`));
    }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      const pid =
        args[0] === 'start' ? /collector running: pid (\d+)|still running as pid (\d+)/.exec(out) : null;
      if (pid) started.add(Number(pid[1] ?? pid[2]));
      resolve({ code, out, err });
    });
  });
}

async function until<T>(what: string, probe: () => Promise<T | null>, timeoutMs = 20_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown = null;
  for (;;) {
    try {
      const v = await probe();
      if (v !== null) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

interface StatusJson {
  running: boolean;
  healthy: boolean;
  pid: number | null;
  problem: string | null;
  source: string | null;
  latestGap: { symbol: string; channel: string; reason: string } | null;
  status: {
    totals: { lines: Record<string, number>; records: Record<string, number> };
    sinks: { name: string; lag: number; mode: string }[];
  } | null;
}

let dir: string;
let sim: ChildProcess;
let ports: { L1: number; L2: number; ADMIN: number };
let tape: { text: string; l1: number; l2: number };

beforeAll(async () => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first`);
  dir = await mkdtemp(join(tmpdir(), 'l2h-ops-'));
  tape = tapeText();
  await writeFile(join(dir, 'day.tape'), tape.text, 'latin1');
  sim = spawn(
    process.execPath,
    [
      CLI,
      'simulate',
      '--tape',
      'day.tape',
      '--port-l1',
      '0',
      '--port-l2',
      '0',
      '--port-admin',
      '0',
      '--speed',
      '1',
      '--log-level',
      'warn',
    ],
    {
      cwd: dir,
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let out = '';
  sim.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  const ready = await until('the simulator ready line', async () => {
    const line = out.split('\n').find((l) => l.includes('"event":"ready"'));
    return line === undefined ? null : (JSON.parse(line) as { ports: typeof ports });
  });
  ports = ready.ports;
});

afterAll(async () => {
  // Anything a failed test left running: only collectors our own starts reported (still ours
  // if /proc says it is that collector command in our folder).
  for (const pid of started) {
    const cmd = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    if (!cmd.includes(dir)) continue;
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  sim?.kill('SIGTERM');
  await rm(dir, { recursive: true, force: true });
});

function feedFlags(): string[] {
  return [
    '--symbols',
    'AAPL,MSFT',
    '--port-l1',
    String(ports.L1),
    '--port-l2',
    String(ports.L2),
    '--port-admin',
    String(ports.ADMIN),
  ];
}

describe('l2h start / status / logs / stop against the simulator', () => {
  it('starts headless, reports status with exit 0, follows logs, stops gracefully reporting what it flushed', async () => {
    const started = await l2h(['start', '--headless', '--run-dir', 'run', ...feedFlags()], dir);
    expect(started.code, started.out + started.err).toBe(0);
    expect(started.out).toMatch(/collector running: pid \d+, session [0-9a-f-]+ \(headless\)/);
    expect(started.out).toContain('page:     none (headless)');
    expect(started.out).toContain(join(dir, 'run', 'collector.log'));
    expect(started.out).toContain(join(dir, 'run', 'data'));

    // The whole tape through (the collector also counts the simulator's T and system lines, so
    // at least the tape's), the server-disconnect gaps recorded. The head keeps moving (T lines
    // every second), so the sink's lag is whatever it is at that instant: reported, not zero.
    let seen = '';
    const s = await until('the collector to have journaled the tape and closed the gaps', async () => {
      const r = await l2h(['status', '--json', '--run-dir', 'run'], dir);
      if (!r.out.startsWith('{')) throw new Error(`status --json printed no JSON (exit ${r.code}): ${r.err}`);
      const v = JSON.parse(r.out) as StatusJson;
      const lines = v.status?.totals.lines ?? {};
      seen = JSON.stringify({
        code: r.code,
        lines,
        gap: v.latestGap,
        sinks: v.status?.sinks,
        problem: v.problem,
      });
      const done =
        (lines['L2'] ?? 0) >= tape.l2 &&
        (lines['L1'] ?? 0) >= tape.l1 &&
        (v.status?.totals.records['gaps'] ?? 0) >= 2 &&
        v.latestGap !== null;
      return done && r.code === 0 ? v : null;
    }).catch((err: unknown) => {
      throw new Error(`${String(err)}; last seen ${seen}`);
    });
    expect(s).toMatchObject({ running: true, healthy: true, problem: null, source: 'status-file' });
    expect(s.status!.sinks).toEqual([
      expect.objectContaining({ name: 'jsonl', mode: 'live', lag: expect.any(Number) }),
    ]);
    expect(s.latestGap!.symbol).toMatch(/^(AAPL|MSFT)$/);

    const text = await l2h(['status', '--run-dir', 'run'], dir);
    expect(text.code).toBe(0);
    expect(text.out).toMatch(
      /messages: L1 \d+ \([\d.,]+\/s\), L2 \d+ \([\d.,]+\/s\), ADMIN \d+ \([\d.,]+\/s\)/,
    );
    expect(text.out).toMatch(/sink jsonl: live, lag \d+ lines, checkpoint \d+, written \d+/);
    expect(text.out).toMatch(/latest gap: (AAPL|MSFT) L[12] \S+ → \S+ \(\d+\.\d{3} s, [a-z-]+\), seq \d+/);

    const logs = await l2h(['logs', '--run-dir', 'run', '-n', '3'], dir);
    expect(logs.code).toBe(0);
    expect(logs.out.trim().split('\n')).toHaveLength(3);
    expect(logs.out).toMatch(/^\d{4}-\d\d-\d\dT.* (INFO|WARN) /m);

    const stopped = await l2h(['stop', '--run-dir', 'run'], dir);
    expect(stopped.code, stopped.out).toBe(0);
    expect(stopped.out).toContain('sent SIGTERM');
    expect(stopped.out).toMatch(/journal: \d+ lines, durable through seq \d+/);
    expect(stopped.out).toMatch(/sink jsonl: checkpoint seq \d+, wrote \d+ records; everything flushed/);
    expect(stopped.out).toContain('sinks drained: yes');

    const after = await l2h(['status', '--run-dir', 'run'], dir);
    expect(after.code).toBe(3);
    expect(after.out).toContain('not running (no pid file');
    expect((await l2h(['stop', '--run-dir', 'run'], dir)).code).toBe(3);
  });

  it('detects a stale pid file (process gone) and never trusts it', async () => {
    const gone = spawn(process.execPath, ['-e', '']);
    const pid = gone.pid!;
    await new Promise((r) => gone.once('exit', r));
    await writeFile(join(dir, 'run', 'collector.pid'), `${pid}\n`);
    const status = await l2h(['status', '--run-dir', 'run'], dir);
    expect(status.code).toBe(3);
    expect(status.out).toContain(
      `not running: stale pid file ${join(dir, 'run', 'collector.pid')}: process ${pid} is gone`,
    );
    const stop = await l2h(['stop', '--run-dir', 'run'], dir);
    expect(stop.code).toBe(3);
    expect(stop.out).toContain('stale pid file');
    expect(existsSync(join(dir, 'run', 'collector.pid'))).toBe(false);
  });

  it('--ui serves the page: prints its URL, /health answers 200, status reads the monitor', async () => {
    const started = await l2h(['start', '--ui', '--run-dir', 'run-ui', ...feedFlags()], dir);
    expect(started.code, started.out + started.err).toBe(0);
    const url = /page: {5}(http:\/\/127\.0\.0\.1:\d+\/)/.exec(started.out)?.[1];
    expect(url, started.out).toBeDefined();
    const health = await fetch(new URL('/health', url));
    expect(health.status).toBe(200);
    expect(((await health.json()) as { state: string }).state).toBe('ok');
    expect((await fetch(url!)).headers.get('content-type')).toMatch(/text\/html/);
    const s = JSON.parse((await l2h(['status', '--json', '--run-dir', 'run-ui'], dir)).out) as StatusJson;
    expect(s).toMatchObject({ running: true, source: 'monitor' });
    // A second start on the same run folder is refused while this one runs.
    const again = await l2h(['start', '--ui', '--run-dir', 'run-ui', ...feedFlags()], dir);
    expect(again.code).toBe(2);
    expect(again.err).toContain('already running');
    expect((await l2h(['stop', '--run-dir', 'run-ui'], dir)).code).toBe(0);
  });

  it('exits non-zero with the last output lines when the collector does not come up', async () => {
    const bad = await l2h(
      ['start', '--headless', '--run-dir', 'run-bad', ...feedFlags(), '--depth', 'zero'],
      dir,
    );
    expect(bad.code).toBe(1);
    expect(bad.out).toContain('the collector exited during start (exit code 2)');
    expect(bad.out).toMatch(/--depth must be a positive whole number, got "zero"/);
    expect(existsSync(join(dir, 'run-bad', 'collector.pid'))).toBe(false);

    const refused = await l2h(
      ['start', '--headless', '--run-dir', 'run-bad', ...feedFlags(), '--monitor', '127.0.0.1:0'],
      dir,
    );
    expect(refused.code).toBe(2);
    expect(refused.err).toContain('--headless runs without the monitor page');
  });

  it('has --help with examples for each command', async () => {
    for (const cmd of ['start', 'stop', 'status', 'logs']) {
      const help = await l2h([cmd, '--help'], dir);
      expect(help.code).toBe(0);
      expect(help.out).toMatch(/Examples:\n {2}l2h /);
    }
  });
});
