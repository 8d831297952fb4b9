/**
 * A tape's identity for a run directory (CONTRACTS §4): the SHA-256 of the file's bytes as
 * stored (the compressed bytes for `.tape.gz`), so `sha256sum` on the same file agrees.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { inputError, L2hError } from '../../common/errors.js';
import { isErrno } from './errno.js';

/** Lowercase hex SHA-256 of the file, read as a stream. */
export async function tapeSha256(path: string): Promise<string> {
  const hash = createHash('sha256');
  try {
    for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
      hash.update(chunk as Buffer);
    }
  } catch (err) {
    if (isErrno(err, 'ENOENT')) throw inputError('tape not found', { file: path });
    throw new L2hError(`cannot read the tape: ${err instanceof Error ? err.message : String(err)}`, {
      code: 'IO',
      cause: err,
      context: { file: path },
    });
  }
  return hash.digest('hex');
}
