/**
 * Per-sink checkpoints: `checkpoints/<sink>.json` holds the last seq the sink acknowledged as
 * durable. Written atomically (temp file, fsync, rename, fsync dir), so after a crash a
 * checkpoint is either the previous one or the new one, never torn: a torn checkpoint could
 * make a sink skip records it never stored.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { errorMessage, inputError, L2hError } from '../../common/errors.js';
import { isErrno } from '../tape/errno.js';
import { writeFileAtomic } from './files.js';
import { assertSafeName, CHECKPOINT_DIR } from './layout.js';

export interface Checkpoint {
  readonly sink: string;
  /** Every record with seq ≤ this is durable in the sink. */
  readonly seq: number;
}

export function checkpointPath(sessionDir: string, sink: string): string {
  assertSafeName('sink', sink);
  return join(sessionDir, CHECKPOINT_DIR, `${sink}.json`);
}

/** The sink's checkpoint seq, or null when it has none yet (start from the beginning). */
export async function readCheckpoint(sessionDir: string, sink: string): Promise<number | null> {
  const path = checkpointPath(sessionDir, sink);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return null;
    throw new L2hError(`cannot read the checkpoint: ${errorMessage(err)}`, {
      code: 'IO',
      cause: err,
      context: { file: path },
    });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw inputError('the checkpoint is not JSON', { file: path }, 'delete it to redeliver from the start');
  }
  const seq = typeof parsed === 'object' && parsed !== null ? (parsed as { seq?: unknown }).seq : undefined;
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 0) {
    throw inputError(
      'the checkpoint has no valid "seq"',
      { file: path },
      'delete it to redeliver from the start',
    );
  }
  return seq;
}

export async function writeCheckpoint(sessionDir: string, sink: string, seq: number): Promise<void> {
  if (!Number.isSafeInteger(seq) || seq < 0) {
    throw new L2hError(`checkpoint seq must be a whole number ≥ 0, got ${seq}`, {
      code: 'INTERNAL',
      context: { sink },
    });
  }
  const checkpoint: Checkpoint = { sink, seq };
  await writeFileAtomic(checkpointPath(sessionDir, sink), `${JSON.stringify(checkpoint)}\n`);
}
