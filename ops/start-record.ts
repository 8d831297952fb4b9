/**
 * `run/start.json`: what `l2h start` launched, for `status`, `stop` and `logs` to read later.
 * It never holds the monitor token: only whether one is needed.
 */
import { readFile, rename, writeFile } from 'node:fs/promises';

export type StartMode = 'headless' | 'ui';

export interface StartRecord {
  readonly schema: 'l2h.start/1';
  readonly pid: number;
  readonly startedAt: string;
  readonly mode: StartMode;
  /** The monitor's base URL (`--ui`), null when headless. */
  readonly monitorUrl: string | null;
  readonly monitorNeedsToken: boolean;
  readonly session: string | null;
  readonly dataDir: string;
  readonly journalDir: string;
  /** Every argument given to `l2h collect`. */
  readonly collectArgs: readonly string[];
}

export async function writeStartRecord(path: string, record: StartRecord): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}`;
  await writeFile(tmp, `${JSON.stringify(record, null, 2)}\n`);
  await rename(tmp, path);
}

export async function readStartRecord(path: string): Promise<StartRecord | null> {
  try {
    const v = JSON.parse(await readFile(path, 'utf8')) as Partial<StartRecord>;
    return v.schema === 'l2h.start/1' ? (v as StartRecord) : null;
  } catch {
    return null;
  }
}
