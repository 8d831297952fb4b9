/**
 * The collector's pid file for running headless: it refuses to start while the process it names
 * is alive and is a collector using this pid file, and replaces a stale one (that process is
 * gone, a zombie, or its pid now belongs to another program: a crash or kill -9, then pid reuse).
 */
import { link, readFile, readlink, realpath, rename, rm, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { errorMessage, L2hError, usageError } from '../../common/errors.js';
import { isErrno } from '../tape/reader.js';

export interface PidFile {
  readonly path: string;
  /** The pid a stale file named, when one was replaced. */
  readonly replacedStale: number | null;
  release(): Promise<void>;
}

/** Is `pid` a live process, and if not, why not. */
export interface PidCheck {
  readonly alive: boolean;
  readonly why: string;
}

/** Signal 0 probes without signalling; EPERM means it exists but belongs to someone else. */
function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return isErrno(err, 'EPERM');
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

/** Linux: the process's arguments (argv[0] first); null without /proc. */
async function commandArgs(pid: number): Promise<string[] | null> {
  try {
    const raw = await readFile(`/proc/${pid}/cmdline`, 'utf8');
    return raw.split('\u0000').filter((a, i, all) => a !== '' || i < all.length - 1);
  } catch {
    return null;
  }
}

/** The `--pid-file` a command line names (`--pid-file F` or `--pid-file=F`, the last winning). */
function pidFileArgument(args: readonly string[]): string | undefined {
  let value: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--pid-file') value = args[i + 1];
    else if (a.startsWith('--pid-file=')) value = a.slice('--pid-file='.length);
  }
  return value;
}

/**
 * Whether two absolute paths name one file: a run folder reached through a symlink is the same
 * folder (compared as text, `status`/`stop` took a running collector's pid file for a stale one
 * and deleted it). Where a path cannot be resolved (gone), its text is what there is.
 */
async function samePath(a: string, b: string): Promise<boolean> {
  if (a === b) return true;
  const [ra, rb] = await Promise.all([realpath(a).catch(() => a), realpath(b).catch(() => b)]);
  return ra === rb;
}

/**
 * Is `pid` a collector: alive, not a zombie, and (where /proc exists) `collect` on its command
 * line. With `pidFile`, also `--pid-file` naming that file: only such a process can own it. A pid
 * that merely runs some `l2h collect` may be another run's collector that got a dead one's pid,
 * and signalling or deferring to it would act on the wrong run.
 */
export async function collectorPid(pid: number, pidFile?: string): Promise<PidCheck> {
  if (!processExists(pid)) return { alive: false, why: `process ${pid} is gone` };
  if ((await procState(pid)) === 'Z') return { alive: false, why: `process ${pid} has exited (zombie)` };
  const args = await commandArgs(pid);
  if (args === null) return { alive: true, why: '' }; // no /proc: the pid is all there is to go by
  if (args.includes('collect')) {
    if (pidFile === undefined) return { alive: true, why: '' };
    const named = pidFileArgument(args);
    // A relative --pid-file is relative to that process's directory, not ours.
    const cwd = await readlink(`/proc/${pid}/cwd`).catch(() => process.cwd());
    if (named !== undefined && (await samePath(resolve(cwd, named), resolve(pidFile))))
      return { alive: true, why: '' };
  }
  const using = pidFile === undefined ? '' : `, not a collector using ${pidFile}`;
  return {
    alive: false,
    why: `pid ${pid} now belongs to another program${using} (${args.join(' ').slice(0, 120)})`,
  };
}

/**
 * Claim `path` for this process. The file appears with its content in one step (a temp file
 * hard-linked into place, which fails if the name exists), so a contender never reads it empty
 * and two collectors started together cannot both create it. A stale file is replaced by an
 * atomic rename, and the file is read back: if another contender replaced it too, the later
 * rename wins and the earlier one sees that and refuses.
 */
export async function acquirePidFile(path: string): Promise<PidFile> {
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    await writeFile(tmp, `${process.pid}\n`);
  } catch (err) {
    throw cannotWrite(path, err);
  }
  let replacedStale: number | null = null;
  try {
    if (!(await linkExclusive(tmp, path))) {
      replacedStale = await checkStale(path);
      try {
        await rename(tmp, path);
      } catch (err) {
        throw cannotWrite(path, err);
      }
    }
  } finally {
    // After link the temp name is a second name for our file; after rename it is gone.
    await rm(tmp, { force: true }).catch(() => undefined);
  }
  const owner = Number.parseInt((await readFile(path, 'utf8').catch(() => '')).trim(), 10);
  if (owner !== process.pid) {
    throw usageError(
      `another collector is running: ${path} was claimed by process ${owner} at the same time`,
      `stop it first (kill ${owner}), or use another --pid-file`,
    );
  }
  return {
    path,
    replacedStale,
    async release() {
      try {
        const text = (await readFile(path, 'utf8')).trim();
        // Only remove our own: a newer collector may have replaced a file we thought ours.
        if (Number.parseInt(text, 10) === process.pid) await rm(path, { force: true });
      } catch {
        // Already gone.
      }
    },
  };
}

/** False when `path` already exists. */
async function linkExclusive(from: string, path: string): Promise<boolean> {
  try {
    await link(from, path);
    return true;
  } catch (err) {
    if (isErrno(err, 'EEXIST')) return false;
    throw cannotWrite(path, err);
  }
}

/** Throws when `path` names a live collector using it; else the stale pid it names, if any. */
async function checkStale(path: string): Promise<number | null> {
  let text: string;
  try {
    text = (await readFile(path, 'utf8')).trim();
  } catch (err) {
    // Removed since the link failed (its owner released it): nothing stale to report.
    if (isErrno(err, 'ENOENT')) return null;
    throw new L2hError(`cannot read the pid file: ${errorMessage(err)}`, {
      code: 'BAD_USAGE',
      cause: err,
      context: { file: path },
    });
  }
  const pid = Number.parseInt(text, 10);
  if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && (await collectorPid(pid, path)).alive) {
    throw usageError(
      `another collector is running: ${path} names live process ${pid}`,
      `stop it first (kill ${pid}), or use another --pid-file`,
    );
  }
  return text !== '' && Number.isInteger(pid) ? pid : null;
}

function cannotWrite(path: string, err: unknown): L2hError {
  return new L2hError(`cannot write the pid file: ${errorMessage(err)}`, {
    code: 'BAD_USAGE',
    cause: err,
    context: { file: path },
    hint: 'pass a --pid-file in a writable directory',
  });
}
