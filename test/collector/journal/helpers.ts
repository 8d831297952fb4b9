import { cp, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { type AppendFile, type JournalFs, nodeJournalFs } from '../../../collector/journal/files.js';
import { type JournalEntry, readJournal } from '../../../collector/journal/read.js';

/** A private temporary directory, removed by the returned cleanup. */
export async function tempDir(prefix: string): Promise<{ path: string; cleanup: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), `l2h-${prefix}-`));
  return { path, cleanup: () => rm(path, { recursive: true, force: true }) };
}

export async function readAllEntries(
  sessionDir: string,
  options?: Parameters<typeof readJournal>[1],
): Promise<JournalEntry[]> {
  const out: JournalEntry[] = [];
  for await (const batch of readJournal(sessionDir, options)) out.push(...batch);
  return out;
}

export function linesOf(entries: readonly JournalEntry[]): string[] {
  return entries.flatMap((e) => (e.type === 'line' ? [e.line] : []));
}

export async function segmentNames(sessionDir: string): Promise<string[]> {
  return (await readdir(sessionDir)).filter((n) => n.endsWith('.tape')).sort();
}

/**
 * What a disk would hold if the machine stopped now: a copy of the session directory as the
 * files stand, without whatever the journal still buffers in memory.
 */
export async function snapshotSession(sessionDir: string, intoJournalDir: string): Promise<void> {
  await cp(sessionDir, join(intoJournalDir, sessionDir.split('/').at(-1)!), { recursive: true });
}

/** Poll `condition` until it holds or the deadline passes (no fixed sleeps). */
export async function until(condition: () => boolean, what: string, deadlineMs = 10_000): Promise<void> {
  const end = Date.now() + deadlineMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

type Kind = 'write' | 'datasync';

/** The real file layer, logging every operation and holding the kinds it is told to hold. */
export class GatedFs implements JournalFs {
  readonly log: string[] = [];
  private readonly holding = new Set<Kind>();
  private held: (() => void)[] = [];
  failDatasync: Error | null = null;
  /** Names of the files opened and not yet closed, once per open. */
  readonly openFiles: string[] = [];

  hold(kind: Kind): void {
    this.holding.add(kind);
  }

  release(kind: Kind): void {
    this.holding.delete(kind);
    const held = this.held;
    this.held = [];
    for (const go of held) go();
  }

  get waiting(): number {
    return this.held.length;
  }

  async openAppend(path: string, mustCreate: boolean): Promise<AppendFile> {
    const inner = await nodeJournalFs.openAppend(path, mustCreate);
    const name = basename(path);
    this.log.push(`open ${name}`);
    this.openFiles.push(name);
    const gate = async (kind: Kind): Promise<void> => {
      while (this.holding.has(kind)) await new Promise<void>((resolve) => this.held.push(resolve));
    };
    return {
      write: async (data) => {
        await gate('write');
        await inner.write(data);
        this.log.push(`write ${name} ${data.toString('latin1').trim().split('\n').at(-1)}`);
      },
      datasync: async () => {
        this.log.push(`datasync-start ${name}`);
        await gate('datasync');
        if (this.failDatasync) throw this.failDatasync;
        await inner.datasync();
        this.log.push(`datasync-done ${name}`);
      },
      close: async () => {
        await inner.close();
        this.openFiles.splice(this.openFiles.indexOf(name), 1);
      },
    };
  }

  syncDir(path: string): Promise<void> {
    return nodeJournalFs.syncDir(path);
  }
}
