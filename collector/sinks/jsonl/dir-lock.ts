/**
 * One JSONL writer per data directory: two collectors appending to the same files (or one
 * repairing a "torn" line the other is still writing) would corrupt them. The lock file holds the
 * owner's pid; a lock left by a process that is gone (kill -9) is taken over.
 */
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { errorMessage, L2hError, usageError } from '../../../common/errors.js';
import { isErrno } from '../../tape/reader.js';

export const DATA_DIR_LOCK = '.l2h-jsonl.lock';

function alive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return isErrno(err, 'EPERM');
  }
}

const heldHere = new Set<string>();

export async function lockDataDir(dir: string): Promise<() => Promise<void>> {
  const path = join(dir, DATA_DIR_LOCK);
  if (heldHere.has(path))
    throw usageError(`the JSONL data directory ${dir} is already in use in this process`);
  let holder: number | null = null;
  try {
    holder = Number.parseInt(await readFile(path, 'utf8'), 10);
  } catch (err) {
    if (!isErrno(err, 'ENOENT')) {
      throw new L2hError(`cannot read the data directory lock: ${errorMessage(err)}`, {
        code: 'IO',
        cause: err,
        context: { file: path },
      });
    }
  }
  if (holder !== null && holder !== process.pid && alive(holder)) {
    throw usageError(
      `the JSONL data directory ${dir} is in use by process ${holder}`,
      'stop that collector, or use another --data-dir',
    );
  }
  await writeFile(path, `${process.pid}\n`);
  heldHere.add(path);
  return async () => {
    heldHere.delete(path);
    await rm(path, { force: true });
  };
}
