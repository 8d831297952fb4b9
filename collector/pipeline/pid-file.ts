/**
 * The collector's pid file for running headless: it refuses to start while the process it names
 * is alive, and replaces a stale one (that process is gone: a crash or kill -9).
 */
import { readFile, rm, writeFile } from 'node:fs/promises';
import { errorMessage, L2hError, usageError } from '../../common/errors.js';
import { isErrno } from '../tape/reader.js';

export interface PidFile {
  readonly path: string;
  /** The pid a stale file named, when one was replaced. */
  readonly replacedStale: number | null;
  release(): Promise<void>;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return isErrno(err, 'EPERM');
  }
}

export async function acquirePidFile(path: string): Promise<PidFile> {
  let replacedStale: number | null = null;
  try {
    const text = (await readFile(path, 'utf8')).trim();
    const pid = Number.parseInt(text, 10);
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid)) {
      throw usageError(
        `another collector is running: ${path} names live process ${pid}`,
        `stop it first (kill ${pid}), or use another --pid-file`,
      );
    }
    if (text !== '') replacedStale = Number.isInteger(pid) ? pid : null;
  } catch (err) {
    if (err instanceof L2hError) throw err;
    if (!isErrno(err, 'ENOENT')) {
      throw new L2hError(`cannot read the pid file: ${errorMessage(err)}`, {
        code: 'BAD_USAGE',
        cause: err,
        context: { file: path },
      });
    }
  }
  try {
    await writeFile(path, `${process.pid}\n`);
  } catch (err) {
    throw new L2hError(`cannot write the pid file: ${errorMessage(err)}`, {
      code: 'BAD_USAGE',
      cause: err,
      context: { file: path },
      hint: 'pass a --pid-file in a writable directory',
    });
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
