/**
 * `l2h logs`: the last lines of the collector's log, and `-f` to follow it across rotations
 * (a rotation truncates the file: the follower notices the size drop and reads from the start;
 * a replaced file, noticed by its inode, is read from the start too).
 */
import { open, stat } from 'node:fs/promises';
import { StringDecoder } from 'node:string_decoder';

/**
 * The last `count` lines of a file, reading backwards in blocks (never the whole file), none
 * from before byte `from`.
 */
export async function lastLines(path: string, count: number, from = 0): Promise<string[]> {
  if (count <= 0) return [];
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, 'r');
  } catch {
    return [];
  }
  try {
    const { size } = await handle.stat();
    const block = 64 * 1024;
    let pos = size;
    // Bytes, decoded once at the end: a block boundary may fall inside a multi-byte character.
    const blocks: Buffer[] = [];
    let newlines = 0;
    while (pos > from) {
      const len = Math.min(block, pos - from);
      pos -= len;
      const buf = Buffer.alloc(len);
      await handle.read(buf, 0, len, pos);
      blocks.unshift(buf);
      for (const b of buf) if (b === 0x0a) newlines++;
      // One more newline than lines wanted: the first line read may be cut.
      if (newlines + 1 > count + 1) break;
    }
    const lines = Buffer.concat(blocks).toString('utf8').split('\n');
    if (lines[lines.length - 1] === '') lines.pop();
    return lines.slice(-count);
  } finally {
    await handle.close();
  }
}

export interface FollowOptions {
  readonly path: string;
  /** Start reading here (bytes); default: the end of the file now. */
  readonly from?: number;
  readonly everyMs: number;
  readonly signal: AbortSignal;
  readonly onLine: (line: string) => void;
}

/** Calls `onLine` for each complete line appended, until `signal` aborts. */
export async function follow(o: FollowOptions): Promise<void> {
  let ino: number | null = null;
  let pos = o.from ?? -1;
  let rest = '';
  // Keeps a character cut by the 1 MiB read limit for the next read.
  let decoder = new StringDecoder('utf8');
  while (!o.signal.aborted) {
    let info: Awaited<ReturnType<typeof stat>> | null = null;
    try {
      info = await stat(o.path);
    } catch {
      info = null; // not there yet, or between rotation steps
    }
    if (info !== null) {
      if (pos < 0) pos = info.size;
      if ((ino !== null && info.ino !== ino) || info.size < pos) {
        pos = 0; // rotated (truncated) or replaced
        rest = '';
        decoder = new StringDecoder('utf8');
      }
      ino = info.ino;
      if (info.size > pos) {
        const handle = await open(o.path, 'r');
        try {
          const buf = Buffer.alloc(Math.min(info.size - pos, 1 << 20));
          const { bytesRead } = await handle.read(buf, 0, buf.length, pos);
          pos += bytesRead;
          const text = rest + decoder.write(buf.subarray(0, bytesRead));
          const parts = text.split('\n');
          rest = parts.pop() ?? '';
          for (const line of parts) o.onLine(line);
        } finally {
          await handle.close();
        }
        continue; // more may be waiting: read again before sleeping
      }
    }
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, o.everyMs);
      o.signal.addEventListener(
        'abort',
        () => {
          clearTimeout(t);
          resolve();
        },
        { once: true },
      );
    });
  }
}

const LEVELS: Readonly<Record<number, string>> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO',
  40: 'WARN',
  50: 'ERROR',
  60: 'FATAL',
};
const SKIP = new Set(['level', 'time', 'msg', 'pid', 'hostname', 'name', 'v']);

/** A pino JSON line as `time LEVEL msg key=value…`; any other line as it is. */
export function formatLogLine(line: string): string {
  if (!line.startsWith('{')) return line;
  let v: Record<string, unknown>;
  try {
    v = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line;
  }
  const time = typeof v['time'] === 'number' ? new Date(v['time']).toISOString() : '';
  const level = typeof v['level'] === 'number' ? (LEVELS[v['level']] ?? String(v['level'])) : '';
  const fields = Object.entries(v)
    .filter(([k]) => !SKIP.has(k))
    .map(([k, x]) => `${k}=${typeof x === 'string' ? x : JSON.stringify(x)}`);
  return [time, level.padEnd(5), String(v['msg'] ?? ''), ...fields].filter((s) => s !== '').join(' ');
}
