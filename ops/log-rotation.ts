/**
 * Size-based rotation of the collector's log, from outside the collector: when `collector.log`
 * passes `maxBytes`, `.N-1` → `.N` … `.1` → `.2`, the log's content is copied to `.1` and the log
 * is truncated to zero (logrotate's "copytruncate").
 *
 * Why from outside: the collector appends to the file with O_APPEND through pino and cannot be
 * told to reopen it, so renaming the file would leave it writing to the renamed one. Truncating
 * under an O_APPEND writer is safe (its next write lands at the new end). The one cost: a line
 * written between the copy and the truncate is lost; the copy re-reads to the end just before
 * truncating to keep that window to microseconds. The data path (journal, sinks) never touches
 * this file.
 */
import { copyFile, open, rename, rm, stat } from 'node:fs/promises';

export interface RotationOptions {
  /** Rotate once the log is larger than this (default 64 MiB). */
  readonly maxBytes: number;
  /** Rotated files kept: `.1` (newest) … `.keep` (default 5). */
  readonly keep: number;
}

export const ROTATION_DEFAULTS: RotationOptions = { maxBytes: 64 * 1024 * 1024, keep: 5 };

async function size(path: string): Promise<number | null> {
  try {
    return (await stat(path)).size;
  } catch {
    return null;
  }
}

/** Rotate `path` if it is larger than `maxBytes`; returns true when it did. */
export async function rotateIfLarge(path: string, options: RotationOptions): Promise<boolean> {
  const bytes = await size(path);
  if (bytes === null || bytes <= options.maxBytes) return false;
  await rm(`${path}.${options.keep}`, { force: true });
  for (let i = options.keep - 1; i >= 1; i--) {
    if ((await size(`${path}.${i}`)) !== null) await rename(`${path}.${i}`, `${path}.${i + 1}`);
  }
  const target = `${path}.1`;
  await copyFile(path, target);
  // Append whatever arrived during the copy, then cut: the window for a lost line is the gap
  // between this last read and the truncate.
  const src = await open(path, 'r+');
  try {
    const out = await open(target, 'a');
    try {
      let at = (await stat(target)).size;
      const buf = Buffer.alloc(64 * 1024);
      for (;;) {
        const { bytesRead } = await src.read(buf, 0, buf.length, at);
        if (bytesRead === 0) break;
        await out.write(buf, 0, bytesRead);
        at += bytesRead;
      }
      await src.truncate(0);
    } finally {
      await out.close();
    }
  } finally {
    await src.close();
  }
  return true;
}

export interface RotationWatch {
  readonly logFile: string;
  /** The collector: the watch ends when it is gone. */
  readonly isAlive: () => Promise<boolean>;
  readonly options: RotationOptions;
  readonly everyMs: number;
  readonly onError?: (err: unknown) => void;
}

/** Check the size every `everyMs` until the collector exits; a last check after that. */
export async function watchAndRotate(w: RotationWatch): Promise<number> {
  let rotations = 0;
  for (;;) {
    const alive = await w.isAlive();
    try {
      if (await rotateIfLarge(w.logFile, w.options)) rotations++;
    } catch (err) {
      w.onError?.(err);
    }
    if (!alive) return rotations;
    await new Promise((resolve) => setTimeout(resolve, w.everyMs));
  }
}
