import { createReadStream } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { RecordKind } from '../../../collector/records/types.js';
import type { SinkRecord, SinkRecordSource, StrayFile } from './source.js';

const FILE = /^(.+)_(l2|l1|ticks|gaps)_(\d{8})\.jsonl$/;

/**
 * The one name besides its record files that the collector's JSONL sink writes in its data
 * directory: the lock holding the writer's pid (collector/sinks/jsonl/dir-lock.ts), left behind
 * when a collector is killed. Spelled again here rather than imported, as the file names are.
 */
const COLLECTOR_OWN = new Set(['.l2h-jsonl.lock']);

/** Non-empty lines of a file, streamed. */
async function countLines(path: string): Promise<number> {
  let n = 0;
  let open = false;
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
    for (const byte of chunk as Buffer) {
      if (byte === 0x0a) {
        if (open) n++;
        open = false;
      } else open = true;
    }
  }
  return open ? n + 1 : n;
}

/**
 * The symbol as CONTRACTS §2 names its file, written here again rather than imported from the
 * collector, so that a collector escaping it wrongly cannot agree with itself: `A–Z a–z 0–9 _ -`
 * and a `.` that is not first stay, every other character is `%XX` per UTF-8 byte, upper case.
 */
export function expectedFileSymbol(symbol: string): string {
  let out = '';
  for (const c of symbol) {
    if (/[A-Za-z0-9_-]/.test(c) || (c === '.' && out !== '')) out += c;
    else for (const b of Buffer.from(c, 'utf8')) out += `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/**
 * The symbol a JSONL file's name stands for, or null when the name is not how CONTRACTS §2 escapes
 * any symbol (`@ESU25` for `%40ESU25`): then no record belongs in that file.
 */
export function fileNameSymbol(escaped: string): string | null {
  try {
    const symbol = decodeURIComponent(escaped);
    return expectedFileSymbol(symbol) === escaped ? symbol : null;
  } catch {
    return null;
  }
}

/** Why a record does not belong in the file of `symbol` (null: a malformed name) and `day`, or null. */
export function misplacement(
  record: Readonly<Record<string, unknown>>,
  symbol: string | null,
  day: string,
): string | null {
  const why: string[] = [];
  const s = record['symbol'];
  if (symbol === null || s !== symbol)
    why.push(
      symbol === null
        ? `symbol ${JSON.stringify(s)} in a file whose name is no symbol escaped as CONTRACTS §2 says`
        : `symbol ${JSON.stringify(s)} in the file of ${symbol}`,
    );
  const t = record['timestamp'];
  // `YYYY-MM-DD…` is the day `YYYYMMDD`; anything else cannot be this file's day.
  const recordDay =
    typeof t === 'string' && t[4] === '-' && t[7] === '-'
      ? `${t.slice(0, 4)}${t.slice(5, 7)}${t.slice(8, 10)}`
      : null;
  if (recordDay !== day) why.push(`timestamp ${JSON.stringify(t)} in the file of day ${day}`);
  return why.length === 0 ? null : why.join('; ');
}

/** The JSONL sink's files in a data directory, read line by line (never whole). */
export function jsonlSource(dataDir: string): SinkRecordSource {
  return {
    name: 'jsonl',
    dedup: null,
    async *batches() {
      const names = (await readdir(dataDir).catch(() => [] as string[])).filter((n) => FILE.test(n)).sort();
      for (const name of names) {
        const [, fileSymbol, fileKind, fileDay] = FILE.exec(name)!;
        const kind = fileKind as RecordKind;
        const symbol = fileNameSymbol(fileSymbol!);
        let lineNo = 0;
        let rest = '';
        let batch: SinkRecord[] = [];
        const emit = (text: string) => {
          lineNo++;
          if (text === '') return;
          let record: Record<string, unknown> | null = null;
          try {
            const v: unknown = JSON.parse(text);
            if (v !== null && typeof v === 'object' && !Array.isArray(v))
              record = v as Record<string, unknown>;
          } catch {
            record = null;
          }
          const where = `${name}:${lineNo}`;
          if (record === null) {
            batch.push({ kind, record, where, raw: text.slice(0, 300) });
            return;
          }
          const misplaced = misplacement(record, symbol, fileDay!);
          batch.push(misplaced === null ? { kind, record, where } : { kind, record, where, misplaced });
        };
        for await (const chunk of createReadStream(join(dataDir, name), {
          encoding: 'utf8',
          highWaterMark: 1 << 20,
        })) {
          const text = rest + (chunk as string);
          let start = 0;
          for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
            emit(text.slice(start, nl));
            start = nl + 1;
          }
          rest = text.slice(start);
          if (batch.length >= 2048) {
            yield batch;
            batch = [];
          }
        }
        // A last line without its newline is a torn write: still a record the sink holds.
        if (rest !== '') emit(rest);
        if (batch.length > 0) yield batch;
      }
    },
    async strays() {
      const entries = await readdir(dataDir, { withFileTypes: true }).catch(() => []);
      const out: StrayFile[] = [];
      for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
        if (COLLECTOR_OWN.has(e.name) || (e.isFile() && FILE.test(e.name))) continue;
        out.push(
          e.isFile()
            ? {
                where: e.name,
                lines: await countLines(join(dataDir, e.name)),
                why: 'a file the collector does not write: not <SYMBOL>_<kind>_<YYYYMMDD>.jsonl',
              }
            : { where: `${e.name}/`, lines: 0, why: 'an entry the collector does not create: not a file' },
        );
      }
      return out;
    },
  };
}
