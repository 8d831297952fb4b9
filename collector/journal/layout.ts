/**
 * Where a journal session keeps its files (ARCHITECTURE.md "Tapes and the journal"):
 * `<journal-dir>/<session>/journal-000001.tape…`, `events.jsonl`, `session.json`,
 * `checkpoints/<sink>.json`, and `recovered/` for bytes cut off by crash recovery.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { usageError } from '../../common/errors.js';

export const EVENTS_FILE = 'events.jsonl';
export const SESSION_FILE = 'session.json';
export const LOCK_FILE = 'lock';
export const CHECKPOINT_DIR = 'checkpoints';
export const RECOVERED_DIR = 'recovered';

const SEGMENT_NAME = /^journal-(\d{6,})\.tape$/;
const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

export interface SegmentFile {
  readonly index: number;
  readonly path: string;
}

/** `journal-000001.tape`; more digits once the index outgrows six. */
export function segmentFileName(index: number): string {
  return `journal-${String(index).padStart(6, '0')}.tape`;
}

/** The session's segments in index order (empty when there are none yet). */
export async function listSegments(sessionDir: string): Promise<SegmentFile[]> {
  const names = await readdir(sessionDir);
  const segments: SegmentFile[] = [];
  for (const name of names) {
    const m = SEGMENT_NAME.exec(name);
    if (m) segments.push({ index: Number(m[1]), path: join(sessionDir, name) });
  }
  return segments.sort((a, b) => a.index - b.index);
}

/**
 * Session ids and sink names become path components: refuse anything that could climb out of
 * the journal directory or clash with our own files.
 */
export function assertSafeName(kind: 'session' | 'sink', name: string): void {
  if (!SAFE_NAME.test(name)) {
    throw usageError(
      `invalid ${kind} name ${JSON.stringify(name)}`,
      'use letters, digits, ".", "_" and "-" (at most 128, not starting with "." or "-")',
    );
  }
}
