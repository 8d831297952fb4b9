/**
 * Is the collector a pid file names really running? A pid file outlives a crash or a kill -9, and
 * the kernel reuses pids, so the file alone is never trusted: the process must exist, must not be
 * a zombie, and (where /proc exists) must be an `l2h collect`.
 */
import { readFile, rm } from 'node:fs/promises';

export type CollectorProcess =
  | { readonly state: 'absent' }
  | { readonly state: 'running'; readonly pid: number }
  | { readonly state: 'stale'; readonly pid: number | null; readonly why: string };

function errno(err: unknown): string | undefined {
  return err instanceof Error && 'code' in err ? String((err as NodeJS.ErrnoException).code) : undefined;
}

/** Signal 0 probes without signalling; EPERM means it exists but belongs to someone else. */
export function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return errno(err) === 'EPERM';
  }
}

/** Linux: the process's state letter from /proc/<pid>/stat (`Z` zombie); null without /proc. */
async function procState(pid: number): Promise<string | null> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // "pid (comm) S …": comm may hold spaces and parentheses, so read after the last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) || null;
  } catch {
    return null;
  }
}

/** Linux: the command line, NUL-separated arguments joined by spaces; null without /proc. */
export async function commandLine(pid: number): Promise<string | null> {
  try {
    return (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\u0000').join(' ').trim();
  } catch {
    return null;
  }
}

/** A pid that runs the collector: alive, not a zombie, and `collect` on its command line. */
export async function isCollectorPid(pid: number): Promise<{ alive: boolean; why: string }> {
  if (!processExists(pid)) return { alive: false, why: `process ${pid} is gone` };
  if ((await procState(pid)) === 'Z') return { alive: false, why: `process ${pid} has exited (zombie)` };
  const cmd = await commandLine(pid);
  if (cmd !== null && !/\bcollect\b/.test(cmd)) {
    return { alive: false, why: `pid ${pid} now belongs to another program (${cmd.slice(0, 80)})` };
  }
  return { alive: true, why: '' };
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
  const check = await isCollectorPid(pid);
  return check.alive ? { state: 'running', pid } : { state: 'stale', pid, why: check.why };
}

/** Remove a pid file only if it still names `pid` (a newer collector may have replaced it). */
export async function removePidFileIf(pidFile: string, pid: number | null): Promise<void> {
  const now = await readPid(pidFile).catch(() => null);
  if (now === pid || (pid === null && now === 'garbage')) await rm(pidFile, { force: true });
}
