/**
 * The end of a JSONL file after a crash: a last line without its `\n` is a record whose write
 * was torn (its batch never acknowledged, so the runner sends it again) and is cut off; the last
 * complete record of this session says from which seq on records are new to the file.
 */
import type { FileHandle } from 'node:fs/promises';

const CHUNK = 64 * 1024;
const IDENTITY = /"session":("(?:[^"\\]|\\.)*"),"seq":(\d+)\}\s*$/;

export interface TailRepair {
  /** File size after the repair. */
  readonly size: number;
  /** Bytes cut off (0 when the file ended with a newline). */
  readonly cut: number;
}

/** Cut an unterminated last line off; fdatasync when something was cut. */
export async function repairTornTail(handle: FileHandle): Promise<TailRepair> {
  const { size } = await handle.stat();
  if (size === 0) return { size, cut: 0 };
  const one = Buffer.alloc(1);
  await handle.read(one, 0, 1, size - 1);
  if (one[0] === 10) return { size, cut: 0 };
  const buf = Buffer.alloc(CHUNK);
  let end = size;
  while (end > 0) {
    const start = Math.max(0, end - CHUNK);
    const { bytesRead } = await handle.read(buf, 0, end - start, start);
    const nl = buf.subarray(0, bytesRead).lastIndexOf(10);
    if (nl >= 0) {
      const keep = start + nl + 1;
      await handle.truncate(keep);
      await handle.datasync();
      return { size: keep, cut: size - keep };
    }
    end = start;
  }
  await handle.truncate(0);
  await handle.datasync();
  return { size: 0, cut: size };
}

/** `session` and `seq` of a record line (they end every record), or null. */
export function recordIdentity(line: string): { session: string; seq: number } | null {
  const m = IDENTITY.exec(line);
  if (m === null) return null;
  try {
    return { session: JSON.parse(m[1]) as string, seq: Number(m[2]) };
  } catch {
    return null;
  }
}

/**
 * The seq of the last record of `session` in the file (0 when it holds none), reading backwards
 * from the end until one is found: after records of another session in the same file (another
 * run on the same day) the scan goes on past them.
 */
export async function lastSeqOf(handle: FileHandle, size: number, session: string): Promise<number> {
  const buf = Buffer.alloc(CHUNK);
  let end = size;
  let carry = Buffer.alloc(0);
  while (end > 0) {
    const start = Math.max(0, end - CHUNK);
    const { bytesRead } = await handle.read(buf, 0, end - start, start);
    // `carry` is the start of a line whose beginning lies in an earlier chunk.
    const data = Buffer.concat([buf.subarray(0, bytesRead), carry]);
    let lineEnd = data.length;
    for (let nl = data.lastIndexOf(10, lineEnd - 1); ; nl = data.lastIndexOf(10, lineEnd - 1)) {
      if (nl < 0 && start > 0) {
        carry = data.subarray(0, lineEnd);
        break;
      }
      const line = data.toString('utf8', nl + 1, lineEnd);
      if (line.length > 0) {
        const id = recordIdentity(line);
        if (id !== null && id.session === session) return id.seq;
      }
      if (nl < 0) return 0;
      lineEnd = nl;
    }
    end = start;
  }
  return 0;
}
