/**
 * Journal sessions: `session.json` names the session and its start; `listSessions` finds the
 * sessions under a journal directory; a lock file keeps two collectors out of one session.
 */
import { randomUUID } from 'node:crypto';
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { errorMessage, inputError, L2hError, usageError } from '../../common/errors.js';
import { isErrno } from '../tape/errno.js';
import { writeFileAtomic } from './files.js';
import { LOCK_FILE, listSegments, SESSION_FILE } from './layout.js';

export interface SessionInfo {
  readonly session: string;
  readonly dir: string;
  /** Epoch µs when the session was created. */
  readonly startUs: number;
}

/** A fresh session id: a random UUID, so ids from different machines never collide. */
export function newSessionId(): string {
  return randomUUID();
}

export async function writeSessionFile(info: SessionInfo): Promise<void> {
  const body = {
    session: info.session,
    startUs: info.startUs,
    start: new Date(Math.floor(info.startUs / 1000)).toISOString(),
  };
  await writeFileAtomic(join(info.dir, SESSION_FILE), `${JSON.stringify(body)}\n`);
}

/** The session's `session.json`, or null when the directory has none. */
export async function readSessionFile(dir: string): Promise<SessionInfo | null> {
  const path = join(dir, SESSION_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if (isErrno(err, 'ENOENT') || isErrno(err, 'ENOTDIR')) return null;
    throw new L2hError(`cannot read session.json: ${errorMessage(err)}`, {
      code: 'IO',
      cause: err,
      context: { file: path },
    });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw inputError('session.json is not JSON', { file: path });
  }
  const { session, startUs } = (parsed ?? {}) as { session?: unknown; startUs?: unknown };
  if (typeof session !== 'string' || typeof startUs !== 'number') {
    throw inputError('session.json needs "session" (string) and "startUs" (number)', { file: path });
  }
  return { session, dir, startUs };
}

/**
 * Sessions under a journal directory, oldest first. A directory counts when it has a
 * `session.json`; one with segments but no `session.json` (a crash during creation) is listed
 * with the start of its first segment unknown (startUs 0).
 */
export async function listSessions(journalDir: string): Promise<SessionInfo[]> {
  let names: string[];
  try {
    names = await readdir(journalDir);
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return [];
    throw new L2hError(`cannot list the journal directory: ${errorMessage(err)}`, {
      code: 'IO',
      cause: err,
      context: { dir: journalDir },
    });
  }
  const sessions: SessionInfo[] = [];
  for (const name of names) {
    const dir = join(journalDir, name);
    const info = await readSessionFile(dir);
    if (info) sessions.push(info);
    else if (await hasSegments(dir)) sessions.push({ session: name, dir, startUs: 0 });
  }
  return sessions.sort((a, b) => a.startUs - b.startUs || a.session.localeCompare(b.session));
}

async function hasSegments(dir: string): Promise<boolean> {
  try {
    return (await listSegments(dir)).length > 0;
  } catch {
    return false;
  }
}

/** Sessions held open by a Journal in this process (a lock file alone cannot tell them apart). */
const openHere = new Set<string>();

/**
 * Take the session's lock: refuse when another live process, or another Journal in this
 * process, has the session open. A lock left by a dead process (a crash) is taken over.
 */
export async function lockSession(dir: string): Promise<() => Promise<void>> {
  const path = join(dir, LOCK_FILE);
  if (openHere.has(dir)) throw usageError(`journal session is already open in this process: ${dir}`);
  let holder: number | null = null;
  try {
    holder = Number.parseInt(await readFile(path, 'utf8'), 10);
  } catch (err) {
    if (!isErrno(err, 'ENOENT'))
      throw new L2hError(`cannot read the lock: ${errorMessage(err)}`, { code: 'IO', cause: err });
  }
  if (holder !== null && holder !== process.pid && processAlive(holder)) {
    throw usageError(
      `journal session ${dir} is in use by process ${holder}`,
      'stop that collector, or use another --journal-dir',
    );
  }
  await writeFile(path, `${process.pid}\n`);
  openHere.add(dir);
  return async () => {
    openHere.delete(dir);
    await rm(path, { force: true });
  };
}

function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return isErrno(err, 'EPERM');
  }
}
