/**
 * `run/start.json`: what `l2h start` launched, for `status`, `stop` and `logs` to read later.
 * It never holds the monitor token: only whether one is needed (start strips it from the arguments).
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
  /** The arguments given to `l2h start` for `l2h collect`, less `--monitor-token`. */
  readonly collectArgs: readonly string[];
}

export async function writeStartRecord(path: string, record: StartRecord): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}`;
  // Owner-only: the arguments may still carry other credentials (a ClickHouse URL with a password).
  await writeFile(tmp, `${JSON.stringify(record, null, 2)}\n`, { mode: 0o600 });
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
