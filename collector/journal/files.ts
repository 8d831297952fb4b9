/**
 * The few file operations whose order makes the journal durable, behind an interface so a
 * test can hold an fsync and watch that nothing is reported durable before it completes.
 */
import { type FileHandle, open, rename } from 'node:fs/promises';
import { dirname } from 'node:path';

export interface AppendFile {
  /** Write all of `data` at the end of the file. */
  write(data: Buffer): Promise<void>;
  /** fdatasync: the data written so far survives a crash once this resolves. */
  datasync(): Promise<void>;
  close(): Promise<void>;
}

export interface JournalFs {
  /**
   * Open for appending. With `mustCreate` the file must not exist yet (a new segment never
   * appends to a stray file); without, it is created when missing.
   */
  openAppend(path: string, mustCreate: boolean): Promise<AppendFile>;
  /** fsync a directory, so a file created or renamed in it survives a crash. */
  syncDir(path: string): Promise<void>;
}

class NodeAppendFile implements AppendFile {
  constructor(private readonly handle: FileHandle) {}

  async write(data: Buffer): Promise<void> {
    let done = 0;
    while (done < data.length) {
      const { bytesWritten } = await this.handle.write(data, done, data.length - done);
      done += bytesWritten;
    }
  }

  datasync(): Promise<void> {
    return this.handle.datasync();
  }

  close(): Promise<void> {
    return this.handle.close();
  }
}

export const nodeJournalFs: JournalFs = {
  async openAppend(path, mustCreate) {
    return new NodeAppendFile(await open(path, mustCreate ? 'ax' : 'a'));
  },
  async syncDir(path) {
    const handle = await open(path, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  },
};

let tmpCounter = 0;

/**
 * Replace `path` with `text` so a crash leaves either the old or the new file, whole:
 * write a temporary file, fsync it, rename it over the target, fsync the directory.
 */
export async function writeFileAtomic(path: string, text: string): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}-${++tmpCounter}`;
  const handle = await open(tmp, 'w');
  try {
    await handle.writeFile(text, 'utf8');
    await handle.datasync();
  } finally {
    await handle.close();
  }
  await rename(tmp, path);
  await nodeJournalFs.syncDir(dirname(path));
}
