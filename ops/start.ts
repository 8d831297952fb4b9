/**
 * `l2h start`: the collector in the background, with its pid file, log, status file and
 * stdout/stderr in the run folder, and a log rotator beside it. It returns once the collector is
 * healthy, or reports why it is not, with the last lines of its output.
 *
 * Health:
 * - `--ui`: the monitor's `/health` answers 200 (state ok or degraded). The monitor binds
 *   127.0.0.1 on a free port unless `--monitor` says otherwise; its URL comes from the
 *   collector's `ready` event line on stdout.
 * - `--headless` (the default): nothing listens. The collector rewrites `status.json` every
 *   second; healthy = a status written by this pid whose state, judged as `/health` judges it
 *   (collector/monitor/assess.ts), is ok or degraded. So a headless collector opens no port.
 */
import { spawn } from 'node:child_process';
import { mkdir, open, readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { errorMessage, L2hError, usageError } from '../common/errors.js';
import { lastLines } from './log-follow.js';
import { type RotationOptions, rotateIfLarge } from './log-rotation.js';
import { type OpsPaths, opsPaths } from './paths.js';
import { collectorProcess, isCollectorPid, removePidFileIf } from './process.js';
import { flagValue, type StartFlags } from './start-args.js';
import { readStartRecord, type StartRecord, writeStartRecord } from './start-record.js';
import { probeHealth, readStatusFile } from './status-source.js';

export interface StartOptions {
  readonly flags: StartFlags;
  readonly collectArgs: readonly string[];
  /** The built `l2h` entry (dist/cli/main.js). */
  readonly cliPath: string;
  readonly env: NodeJS.ProcessEnv;
  /** Where messages go as they happen (the waiting can take a while). */
  readonly say: (line: string) => void;
}

export interface StartOutcome {
  readonly exitCode: 0 | 1;
  readonly pid: number | null;
  readonly record: StartRecord | null;
}

interface ReadyEvent {
  readonly session: string | null;
  readonly monitor: string | null;
}

const POLL_MS = 100;
const TAIL_LINES = 20;

export async function startInBackground(o: StartOptions): Promise<StartOutcome> {
  const paths = opsPaths(o.flags.runDir);
  await mkdir(paths.dir, { recursive: true });
  const before = await collectorProcess(paths.pidFile);
  if (before.state === 'running') {
    throw usageError(
      `a collector is already running from ${paths.dir} (pid ${before.pid})`,
      `see it with: l2h status --run-dir ${paths.dir}; stop it with: l2h stop --run-dir ${paths.dir}`,
    );
  }
  if (before.state === 'stale') {
    o.say(`found a stale pid file ${paths.pidFile}: ${before.why}; it is not trusted and is replaced`);
    await removePidFileIf(paths.pidFile, before.pid);
  }
  // The token goes to the collector through its environment: a command line is readable by every
  // user (/proc/PID/cmdline, ps) and start.json keeps the arguments.
  const token = flagValue(o.collectArgs, '--monitor-token') ?? o.env['L2H_MONITOR_TOKEN'];
  const given = withoutFlag(o.collectArgs, '--monitor-token');
  const env: NodeJS.ProcessEnv = token === undefined ? o.env : { ...o.env, L2H_MONITOR_TOKEN: token };
  const args = await collectArguments(o, given, paths);
  const dirs = {
    dataDir: resolve(flagValue(args, '--data-dir') ?? paths.dataDir),
    journalDir: resolve(flagValue(args, '--journal-dir') ?? paths.journalDir),
  };
  const rotation: RotationOptions = {
    maxBytes: Math.round(o.flags.logMaxMb * 1024 * 1024),
    keep: o.flags.logKeep,
  };
  await rotateIfLarge(paths.logFile, rotation);
  // Failure reports show only what this start's collector logged.
  const logFrom = await stat(paths.logFile).then(
    (s) => s.size,
    () => 0,
  );

  const out = await open(paths.outFile, 'w');
  const child: { exited: { code: number | null; signal: NodeJS.Signals | null } | null } = { exited: null };
  let pid: number;
  try {
    const proc = spawn(process.execPath, [o.cliPath, 'collect', ...args], {
      cwd: process.cwd(),
      env,
      detached: true,
      stdio: ['ignore', out.fd, out.fd],
    });
    if (proc.pid === undefined) {
      const err = await new Promise<unknown>((res) => proc.once('error', res));
      throw new L2hError(`cannot start the collector: ${errorMessage(err)}`, { code: 'IO', cause: err });
    }
    pid = proc.pid;
    proc.once('exit', (code, signal) => {
      child.exited = { code, signal };
    });
    proc.unref();
  } finally {
    await out.close();
  }
  startRotator(o, paths, pid, rotation);

  const deadline = Date.now() + o.flags.timeoutS * 1000;
  let ready: ReadyEvent | null = null;
  let lastWhy = 'no ready line from the collector yet';
  for (;;) {
    const e = child.exited;
    if (e !== null) {
      await removePidFileIf(paths.pidFile, pid);
      o.say(
        `the collector exited during start (${e.signal ? `signal ${e.signal}` : `exit code ${e.code}`}):`,
      );
      await sayTail(o, paths, logFrom);
      return { exitCode: 1, pid: null, record: null };
    }
    ready ??= await readyEvent(paths.outFile);
    if (ready !== null) {
      const health = o.flags.mode === 'ui' ? await uiHealth(ready, token) : await headlessHealth(paths, pid);
      if (health.ok) break;
      lastWhy = health.why;
    }
    if (Date.now() > deadline) {
      const record = ready === null ? null : await saveRecord(o, given, paths, pid, ready, token, dirs);
      const alive = (await isCollectorPid(pid, paths.pidFile)).alive;
      o.say(`the collector did not become healthy within ${o.flags.timeoutS} s: ${lastWhy}`);
      await sayTail(o, paths, logFrom);
      if (alive) {
        o.say(
          `it is still running as pid ${pid} and keeps trying; watch it with: l2h status --run-dir ${paths.dir}`,
        );
        o.say(`stop it with: l2h stop --run-dir ${paths.dir}`);
      }
      return { exitCode: 1, pid: alive ? pid : null, record };
    }
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  const record = await saveRecord(o, given, paths, pid, ready, token, dirs);
  sayWhere(o, paths, record);
  return { exitCode: 0, pid, record };
}

/** The collector's arguments: the user's, plus the run folder's files and default directories. */
async function collectArguments(
  o: StartOptions,
  given: readonly string[],
  paths: OpsPaths,
): Promise<string[]> {
  const args = [...given];
  if (flagValue(args, '--symbols') === undefined) {
    throw usageError('the collector needs --symbols', 'e.g. l2h start --headless --symbols AAPL,MSFT');
  }
  const monitor = flagValue(args, '--monitor');
  if (o.flags.mode === 'headless' && monitor !== undefined) {
    throw usageError(
      '--headless runs without the monitor page, but --monitor was given',
      'drop --monitor, or use --ui',
    );
  }
  if (o.flags.mode === 'ui' && monitor === undefined) args.push('--monitor', '127.0.0.1:0');
  if (o.flags.resume) args.push(...(await resumeArguments(args, paths)));
  if (flagValue(args, '--data-dir') === undefined) args.push('--data-dir', paths.dataDir);
  if (flagValue(args, '--journal-dir') === undefined) args.push('--journal-dir', paths.journalDir);
  args.push('--pid-file', paths.pidFile, '--log-file', paths.logFile, '--status-file', paths.statusFile);
  return args;
}

/** `args` without `flag` (`--flag v` or `--flag=v`), wherever and however often it appears. */
function withoutFlag(args: readonly string[], flag: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === flag) i++;
    else if (!a.startsWith(`${flag}=`)) out.push(a);
  }
  return out;
}

/**
 * `--resume`: the recorded session, in the journal (and data) directories it was recorded with.
 * The same session id over a new, empty journal would number its lines from 1 again, so one
 * (session, seq) would name two different lines downstream.
 */
async function resumeArguments(args: readonly string[], paths: OpsPaths): Promise<string[]> {
  if (flagValue(args, '--session') !== undefined)
    throw usageError('--resume and --session exclude each other');
  const record = await readStartRecord(paths.startFile);
  const session = record?.session ?? (await lastStatusSession(paths));
  if (!session) {
    throw usageError(
      `--resume: no earlier session recorded in ${paths.dir}`,
      'start without --resume, or name one with --session ID',
    );
  }
  const out = ['--session', session];
  for (const [flag, recorded] of [
    ['--journal-dir', record?.journalDir],
    ['--data-dir', record?.dataDir],
  ] as const) {
    if (recorded === undefined) continue; // session from the status file alone: nothing recorded to keep
    const given = flagValue(args, flag);
    if (given === undefined) out.push(flag, recorded);
    else if (resolve(given) !== resolve(recorded)) {
      throw usageError(
        `--resume: ${flag} ${resolve(given)} differs from ${recorded}, where session ${session} was started (recorded in ${paths.startFile})`,
        `drop ${flag} to continue there, or start a new session without --resume`,
      );
    }
  }
  const journalDir = resolve(flagValue([...args, ...out], '--journal-dir') ?? paths.journalDir);
  if (!(await isDirectory(join(journalDir, session)))) {
    throw usageError(
      `--resume: session ${session} has no journal in ${journalDir}`,
      'give the --journal-dir it was started with, or start a new session without --resume',
    );
  }
  return out;
}

async function isDirectory(path: string): Promise<boolean> {
  return stat(path).then(
    (s) => s.isDirectory(),
    () => false,
  );
}

async function lastStatusSession(paths: OpsPaths): Promise<string | null> {
  const r = await readStatusFile(paths.statusFile);
  return 'status' in r ? r.status.session : null;
}

/** `l2h _rotate-logs` (cli/commands/ops.ts) beside the collector; it exits when the collector does. */
function startRotator(o: StartOptions, paths: OpsPaths, pid: number, rotation: RotationOptions): void {
  const args = [
    o.cliPath,
    '_rotate-logs',
    paths.logFile,
    String(pid),
    String(rotation.maxBytes),
    String(rotation.keep),
  ];
  const child = spawn(process.execPath, args, {
    detached: true,
    stdio: 'ignore',
    env: o.env,
  });
  child.on('error', () => {}); // without the rotator the log only grows: not a reason to fail the start
  child.unref();
}

/** The collector's `{"event":"ready",…}` line on its stdout, once it printed one. */
async function readyEvent(outFile: string): Promise<ReadyEvent | null> {
  let text: string;
  try {
    text = await readFile(outFile, 'utf8');
  } catch {
    return null;
  }
  for (const line of text.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      const v = JSON.parse(line) as { event?: unknown; session?: unknown; monitor?: unknown };
      if (v.event === 'ready') {
        return {
          session: typeof v.session === 'string' ? v.session : null,
          monitor: typeof v.monitor === 'string' ? v.monitor : null,
        };
      }
    } catch {
      // Not an event line.
    }
  }
  return null;
}

async function uiHealth(ready: ReadyEvent, token: string | undefined): Promise<{ ok: boolean; why: string }> {
  if (ready.monitor === null) return { ok: false, why: 'the collector reported no monitor URL' };
  const answer = await probeHealth(ready.monitor, token);
  if (typeof answer !== 'number') return { ok: false, why: answer.error };
  return answer === 200
    ? { ok: true, why: '' }
    : { ok: false, why: `/health answered ${answer}${answer === 503 ? ' (down)' : ''}` };
}

async function headlessHealth(paths: OpsPaths, pid: number): Promise<{ ok: boolean; why: string }> {
  const r = await readStatusFile(paths.statusFile);
  if ('error' in r) return { ok: false, why: 'no status file from the collector yet' };
  if (r.status.pid !== pid)
    return { ok: false, why: `the status file is from another process (pid ${r.status.pid})` };
  const { state, reasons } = r.assessment;
  return state === 'down' ? { ok: false, why: `state down: ${reasons.join('; ')}` } : { ok: true, why: '' };
}

async function saveRecord(
  o: StartOptions,
  given: readonly string[],
  paths: OpsPaths,
  pid: number,
  ready: ReadyEvent,
  token: string | undefined,
  dirs: Pick<StartRecord, 'dataDir' | 'journalDir'>,
): Promise<StartRecord> {
  const record: StartRecord = {
    schema: 'l2h.start/1',
    pid,
    startedAt: new Date().toISOString(),
    mode: o.flags.mode,
    monitorUrl: ready.monitor,
    monitorNeedsToken: token !== undefined && token !== '',
    session: ready.session,
    // What the collector was given: on --resume that includes the directories taken from here.
    ...dirs,
    collectArgs: given,
  };
  await writeStartRecord(paths.startFile, record);
  return record;
}

function sayWhere(o: StartOptions, paths: OpsPaths, r: StartRecord): void {
  o.say(`collector running: pid ${r.pid}, session ${r.session ?? '?'} (${r.mode})`);
  if (r.mode === 'ui' && r.monitorUrl !== null) {
    o.say(
      `  page:     ${r.monitorUrl}${r.monitorNeedsToken ? '  (add ?token=… or send Authorization: Bearer)' : ''}`,
    );
    o.say(`  health:   ${new URL('/health', r.monitorUrl).toString()}`);
  } else {
    o.say(`  page:     none (headless); health and status from ${paths.statusFile}`);
  }
  o.say(`  logs:     ${paths.logFile}  (l2h logs -f --run-dir ${paths.dir})`);
  o.say(`  data:     ${r.dataDir}`);
  o.say(`  journal:  ${r.journalDir}`);
  o.say(`  status:   l2h status --run-dir ${paths.dir}    stop: l2h stop --run-dir ${paths.dir}`);
}

async function sayTail(o: StartOptions, paths: OpsPaths, logFrom: number): Promise<void> {
  for (const [label, file, from] of [
    ['output', paths.outFile, 0],
    ['log', paths.logFile, logFrom],
  ] as const) {
    const lines = await lastLines(file, TAIL_LINES, from);
    if (lines.length === 0) continue;
    o.say(`--- last ${lines.length} lines of ${label} ${file}`);
    for (const l of lines) o.say(`  ${l}`);
  }
}
