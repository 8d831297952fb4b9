/**
 * Is the collector a pid file names really running? A pid file outlives a crash or a kill -9, and
 * the kernel reuses pids, so the file alone is never trusted: the process must exist, must not be
 * a zombie, and (where /proc exists) must be an `l2h collect` given that very `--pid-file`.
 */
import { readFile, rm } from 'node:fs/promises';
import { collectorPid, type PidCheck } from '../collector/pipeline/pid-file.js';

export type CollectorProcess =
  | { readonly state: 'absent' }
  | { readonly state: 'running'; readonly pid: number }
  | { readonly state: 'stale'; readonly pid: number | null; readonly why: string };

function errno(err: unknown): string | undefined {
  return err instanceof Error && 'code' in err ? String((err as NodeJS.ErrnoException).code) : undefined;
}

/**
 * A pid that runs the collector. With `pidFile`, it must also be using that pid file: the only
 * proof that it is this run folder's collector, not another one that got a dead collector's pid.
 * Without it (the log rotator, which knows only the pid), any collector counts.
 */
export function isCollectorPid(pid: number, pidFile?: string): Promise<PidCheck> {
  return collectorPid(pid, pidFile);
}

export async function readPid(path: string): Promise<number | 'garbage' | null> {
  let text: string;
  try {
    text = (await readFile(path, 'utf8')).trim();
  } catch (err) {
    if (errno(err) === 'ENOENT') return null;
    throw err;
  }
  const pid = Number(text);
  return Number.isInteger(pid) && pid > 0 ? pid : 'garbage';
}

export async function collectorProcess(pidFile: string): Promise<CollectorProcess> {
  const pid = await readPid(pidFile);
  if (pid === null) return { state: 'absent' };
  if (pid === 'garbage') return { state: 'stale', pid: null, why: `${pidFile} does not hold a pid` };
  const check = await isCollectorPid(pid, pidFile);
  return check.alive ? { state: 'running', pid } : { state: 'stale', pid, why: redactToken(check.why) };
}

/**
 * The reason quotes the other process's command line, which may carry a monitor token (a
 * collector started by an older l2h, or any program given one); start, status and stop print it.
 */
function redactToken(text: string): string {
  return text.replace(/--monitor-token([= ])\S*/g, '--monitor-token$1[redacted]');
}

/** Remove a pid file only if it still names `pid` (a newer collector may have replaced it). */
export async function removePidFileIf(pidFile: string, pid: number | null): Promise<void> {
  const now = await readPid(pidFile).catch(() => null);
  if (now === pid || (pid === null && now === 'garbage')) await rm(pidFile, { force: true });
}
