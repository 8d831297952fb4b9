import type { RunPaths } from '../run-dir.js';
import { findSessionDir } from '../verify/verify-run.js';

/** The run's one collector session directory (restarts resume the same session). */
export function findSessionDirOf(paths: RunPaths): Promise<string> {
  return findSessionDir(paths.journal);
}
