/**
 * The end of a JSONL file after a crash: a last line without its `\n` is a record whose write
 * was torn (its batch never acknowledged, so the runner sends it again) and is cut off; the last
 * complete record of this session says from which seq on records are new to the file.
 */
import type { FileHandle } from 'node:fs/promises';

const CHUNK = 64 * 1024;
/** Reads while looking for the last seq: a file of other sessions is read whole, and larger reads cost fewer calls. */
const SCAN_CHUNK = 1024 * 1024;
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
 * run on the same day) the scan goes on past them, so it must cost little per byte. A chunk is
 * searched for the bytes every record of the session carries (`"session":…,"seq":`, which JSON
 * cannot hold inside a string, its quotes being escaped there) and only a line holding them is
 * decoded.
 */
export async function lastSeqOf(
  handle: FileHandle,
  size: number,
  session: string,
  chunkSize: number = SCAN_CHUNK,
): Promise<number> {
  const needle = Buffer.from(`"session":${JSON.stringify(session)},"seq":`);
  const buf = Buffer.alloc(chunkSize);
  let end = size;
  // The start of a line whose beginning lies in an earlier chunk.
  let carry = Buffer.alloc(0);
  while (end > 0) {
    const start = Math.max(0, end - chunkSize);
    const { bytesRead } = await handle.read(buf, 0, end - start, start);
    const data = Buffer.concat([buf.subarray(0, bytesRead), carry]);
    // Lines from `whole` on are complete in `data`; before it, a line goes on in an earlier chunk.
    const firstNl = start === 0 ? -1 : data.indexOf(10);
    const whole = start === 0 ? 0 : firstNl < 0 ? data.length : firstNl + 1;
    for (let hit = data.lastIndexOf(needle); hit >= whole; ) {
      const lineStart = hit === 0 ? 0 : data.lastIndexOf(10, hit - 1) + 1;
      const nl = data.indexOf(10, hit);
      const id = recordIdentity(data.toString('utf8', lineStart, nl < 0 ? data.length : nl));
      if (id !== null && id.session === session) return id.seq;
      // A negative offset would search from the end again: stop at the first line.
      hit = lineStart === 0 ? -1 : data.lastIndexOf(needle, lineStart - 1);
    }
    carry = data.subarray(0, whole);
    end = start;
  }
  return 0;
}
