/**
 * The run folder of a background collector (default `./run/`): every file `l2h start`, `stop`,
 * `status` and `logs` share, in one place.
 */
import { join, resolve } from 'node:path';

export const DEFAULT_RUN_DIR = 'run';

export interface OpsPaths {
  readonly dir: string;
  /** The collector's pid (written by `l2h start` at spawn, then by the collector itself). */
  readonly pidFile: string;
  /** The collector's log (pino JSON lines), rotated by size into `collector.log.1` … `.N`. */
  readonly logFile: string;
  /** The collector's stdout and stderr: its ready/stopped event lines and anything before logging began. */
  readonly outFile: string;
  /** The collector's status JSON, rewritten every second and at exit. */
  readonly statusFile: string;
  /** What `l2h start` decided: mode, monitor URL, directories, arguments. */
  readonly startFile: string;
  /** Defaults for the collector's directories when the user gives none. */
  readonly dataDir: string;
  readonly journalDir: string;
}

export function opsPaths(dir: string = DEFAULT_RUN_DIR): OpsPaths {
  const d = resolve(dir);
  return {
    dir: d,
    pidFile: join(d, 'collector.pid'),
    logFile: join(d, 'collector.log'),
    outFile: join(d, 'collector.out'),
    statusFile: join(d, 'status.json'),
    startFile: join(d, 'start.json'),
    dataDir: join(d, 'data'),
    journalDir: join(d, 'journal'),
  };
}
