/**
 * The JSONL sink: one record per line in `<data-dir>/<SYMBOL>_<kind>_<YYYYMMDD>.jsonl`
 * (file-names.ts), the line being the record's JSON exactly as derived.
 *
 * Durability: `write` appends each file's records with one write, then fdatasyncs every file it
 * touched (in parallel: the thread pool runs them side by side), and only then resolves — the
 * runner's checkpoint claims those records. A file is closed (already synced) when its
 * (symbol, kind) moves to a new day, when more than `maxOpenFiles` are open, and at `close`.
 * A directory that gained files is fsynced too, or a crash could lose the new file's name.
 *
 * Idempotent by (session, seq) across restarts: `open` cuts a torn last line off every JSONL file
 * in the directory; the first time a file is written to, its last record of this session is
 * found (tail.ts), and records with seq ≤ that are skipped. Within a file a session's seqs only
 * grow (collector/records/deriver.ts), so one number per file says what it holds.
 */
import { type FileHandle, mkdir, open, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { errorMessage, L2hError } from '../../../common/errors.js';
import { type Logger, silentLogger } from '../../../common/logger.js';
import { nodeJournalFs } from '../../journal/files.js';
import type { RecordEnvelope } from '../../records/types.js';
import type { Sink } from '../sink.js';
import { lockDataDir } from './dir-lock.js';
import { fileSymbol, parseJsonlFileName } from './file-names.js';
import { lastSeqOf, repairTornTail } from './tail.js';

export interface JsonlSinkOptions {
  readonly dataDir: string;
  readonly session: string;
  readonly logger?: Logger;
  /** Files kept open at once (default 256); the least recently written is closed beyond it. */
  readonly maxOpenFiles?: number;
  /**
   * fdatasync before `write` resolves (default true). Off only to measure what syncing costs:
   * without it a crash can lose records the checkpoint claims.
   */
  readonly sync?: boolean;
}

interface OpenFile {
  readonly name: string;
  readonly path: string;
  readonly handle: FileHandle;
  /** Last seq of this session in the file. */
  lastSeq: number;
  /** `<symbol>_<kind>`: a newer day of the same stream closes this file. */
  readonly stream: string;
  readonly day: string;
}

interface Group {
  readonly name: string;
  readonly stream: string;
  readonly day: string;
  readonly records: RecordEnvelope[];
}

export interface JsonlSinkStats {
  readonly openFiles: number;
  readonly linesWritten: number;
  readonly bytesWritten: number;
  readonly skippedDuplicates: number;
  readonly syncs: number;
  readonly tornLinesCut: number;
}

export class JsonlSink implements Sink {
  readonly name = 'jsonl' as const;
  private readonly dataDir: string;
  private readonly session: string;
  private readonly logger: Logger;
  private readonly maxOpenFiles: number;
  private readonly sync: boolean;
  // Insertion order is recency order: a file written to is moved to the end.
  private readonly files = new Map<string, OpenFile>();
  private readonly currentDay = new Map<string, string>();
  private readonly safeSymbols = new Map<string, string>();
  private unlock: (() => Promise<void>) | null = null;
  private linesWritten = 0;
  private bytesWritten = 0;
  private skipped = 0;
  private syncs = 0;
  private tornCut = 0;

  constructor(options: JsonlSinkOptions) {
    this.dataDir = options.dataDir;
    this.session = options.session;
    this.logger = options.logger ?? silentLogger;
    this.maxOpenFiles = Math.max(1, options.maxOpenFiles ?? 256);
    this.sync = options.sync ?? true;
  }

  get stats(): JsonlSinkStats {
    return {
      openFiles: this.files.size,
      linesWritten: this.linesWritten,
      bytesWritten: this.bytesWritten,
      skippedDuplicates: this.skipped,
      syncs: this.syncs,
      tornLinesCut: this.tornCut,
    };
  }

  async open(): Promise<void> {
    try {
      await mkdir(this.dataDir, { recursive: true });
    } catch (err) {
      throw new L2hError(`cannot create the JSONL data directory: ${errorMessage(err)}`, {
        code: 'BAD_USAGE',
        cause: err,
        context: { dir: this.dataDir },
        hint: 'pass a writable --data-dir',
      });
    }
    try {
      this.unlock = await lockDataDir(this.dataDir);
    } catch (err) {
      if (err instanceof L2hError && err.code === 'BAD_USAGE') throw err;
      throw new L2hError(`the JSONL data directory is not writable: ${errorMessage(err)}`, {
        code: 'BAD_USAGE',
        cause: err,
        context: { dir: this.dataDir },
        hint: 'pass a writable --data-dir',
      });
    }
    for (const entry of await readdir(this.dataDir, { withFileTypes: true })) {
      if (!entry.isFile() || parseJsonlFileName(entry.name) === null) continue;
      const path = join(this.dataDir, entry.name);
      const handle = await open(path, 'r+');
      try {
        const { cut } = await repairTornTail(handle);
        if (cut > 0) {
          this.tornCut++;
          this.logger.warn(
            { file: path, bytes: cut },
            'JSONL file ended in a torn line; cut it off (its record comes again)',
          );
        }
      } finally {
        await handle.close();
      }
    }
  }

  async write(batch: readonly RecordEnvelope[]): Promise<void> {
    const groups = [...this.group(batch).values()];
    const retiring: OpenFile[] = [];
    for (const g of groups) {
      const previousDay = this.currentDay.get(g.stream);
      if (previousDay === undefined || previousDay < g.day) {
        if (previousDay !== undefined) {
          const old = this.files.get(`${g.stream}_${previousDay}.jsonl`);
          if (old !== undefined) retiring.push(old);
        }
        this.currentDay.set(g.stream, g.day);
      }
    }
    // Every file's append at once, then every fdatasync at once: a batch costs two rounds of
    // thread-pool work however many files it touches (the event loop may be busy with the feed,
    // and each round waits for a turn of it).
    let created = false;
    const results = await Promise.allSettled(
      groups.map((g) =>
        this.writeGroup(g, () => {
          created = true;
        }),
      ),
    );
    const failed = results.find((r) => r.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
    const touched = results.flatMap((r) => (r.status === 'fulfilled' && r.value !== null ? [r.value] : []));
    if (this.sync) {
      const synced = await Promise.allSettled(touched.map((f) => this.datasync(f)));
      const bad = synced.find((r) => r.status === 'rejected');
      if (bad !== undefined) throw bad.reason;
      if (created) await this.syncDir();
    }
    for (const f of retiring) if (this.files.get(f.name) === f) await this.closeFile(f);
    while (this.files.size > this.maxOpenFiles) await this.closeFile(this.files.values().next().value!);
  }

  /** Append a group's new records to its file; the file, or null when all were there already. */
  private async writeGroup(g: Group, onCreate: () => void): Promise<OpenFile | null> {
    const file = await this.fileFor(g, onCreate);
    const fresh: RecordEnvelope[] = [];
    let last = file.lastSeq;
    for (const r of g.records) {
      if (r.seq <= last) {
        this.skipped++;
        continue;
      }
      fresh.push(r);
      last = r.seq;
    }
    if (fresh.length === 0) return null;
    await this.append(file, encodeLines(fresh));
    file.lastSeq = last;
    this.linesWritten += fresh.length;
    return file;
  }

  async close(): Promise<void> {
    const files = [...this.files.values()];
    try {
      if (this.sync) await Promise.all(files.map((f) => this.datasync(f)));
    } finally {
      for (const f of files) await this.closeFile(f).catch(() => undefined);
      await this.unlock?.();
      this.unlock = null;
    }
  }

  // ── files ──────────────────────────────────────────────────────────────────────────────

  private group(batch: readonly RecordEnvelope[]): Map<string, Group> {
    const groups = new Map<string, Group>();
    for (const r of batch) {
      let safe = this.safeSymbols.get(r.symbol);
      if (safe === undefined) {
        safe = fileSymbol(r.symbol);
        this.safeSymbols.set(r.symbol, safe);
      }
      const stream = `${safe}_${r.kind}`;
      const name = `${stream}_${r.day}.jsonl`;
      let g = groups.get(name);
      if (g === undefined) {
        g = { name, stream, day: r.day, records: [] };
        groups.set(name, g);
      }
      g.records.push(r);
    }
    return groups;
  }

  private async fileFor(g: Group, onCreate: () => void): Promise<OpenFile> {
    const known = this.files.get(g.name);
    if (known !== undefined) {
      // Most recently used goes last.
      this.files.delete(g.name);
      this.files.set(g.name, known);
      return known;
    }
    const path = join(this.dataDir, g.name);
    let handle: FileHandle;
    try {
      handle = await open(path, 'a+');
    } catch (err) {
      throw this.ioError('open', path, err);
    }
    try {
      const { size, cut } = await repairTornTail(handle);
      if (cut > 0) {
        this.tornCut++;
        this.logger.warn(
          { file: path, bytes: cut },
          'JSONL file ended in a torn line; cut it off (its record comes again)',
        );
      }
      if (size === 0) onCreate();
      const lastSeq = size === 0 ? 0 : await lastSeqOf(handle, size, this.session);
      const file: OpenFile = { name: g.name, path, handle, lastSeq, stream: g.stream, day: g.day };
      this.files.set(g.name, file);
      return file;
    } catch (err) {
      await handle.close().catch(() => undefined);
      throw this.ioError('open', path, err);
    }
  }

  private async append(file: OpenFile, bytes: Buffer): Promise<void> {
    try {
      let done = 0;
      while (done < bytes.length) {
        const { bytesWritten } = await file.handle.write(bytes, done, bytes.length - done);
        done += bytesWritten;
      }
      this.bytesWritten += bytes.length;
    } catch (err) {
      // Part of the text may be in the file: forget the file, so the retry re-reads its tail
      // (cutting a torn line, skipping records that made it) instead of writing them twice.
      await this.closeFile(file).catch(() => undefined);
      throw this.ioError('write', file.path, err);
    }
  }

  private async datasync(file: OpenFile): Promise<void> {
    try {
      await file.handle.datasync();
      this.syncs++;
    } catch (err) {
      await this.closeFile(file).catch(() => undefined);
      throw this.ioError('fdatasync', file.path, err);
    }
  }

  private async syncDir(): Promise<void> {
    try {
      await nodeJournalFs.syncDir(this.dataDir);
    } catch (err) {
      throw this.ioError('fsync', this.dataDir, err);
    }
  }

  private async closeFile(file: OpenFile): Promise<void> {
    if (this.files.get(file.name) === file) this.files.delete(file.name);
    await file.handle.close();
  }

  private ioError(op: string, path: string, err: unknown): L2hError {
    return new L2hError(`JSONL ${op} failed: ${errorMessage(err)}`, {
      code: 'IO',
      // A full or failing disk may recover; the runner retries with backoff and says so.
      retriable: true,
      cause: err,
      context: { file: path },
      hint: 'check the disk behind --data-dir; the collector retries and loses nothing meanwhile',
    });
  }
}

/**
 * The records' JSON, one per line, as UTF-8 bytes: written record by record into one buffer sized
 * for ASCII (what the JSON nearly always is). Joining the strings first would build a huge
 * concatenated string that costs more to flatten and encode than the records took to derive.
 */
function encodeLines(records: readonly RecordEnvelope[]): Buffer {
  let size = 0;
  for (const r of records) size += r.json.length + 1;
  // Four spare bytes: a write that runs out of room stops at most 3 bytes short of the end, so
  // `n === json.length` then holds only for an all-ASCII record written whole.
  const buf = Buffer.allocUnsafe(size + 4);
  let pos = 0;
  for (let i = 0; i < records.length; i++) {
    const json = records[i].json;
    const n = buf.write(json, pos, 'utf8');
    if (n !== json.length) {
      // A non-ASCII character (a latin1 symbol or condition): encode the rest the general way.
      const rest = records
        .slice(i)
        .map((r) => `${r.json}\n`)
        .join('');
      return Buffer.concat([buf.subarray(0, pos), Buffer.from(rest, 'utf8')]);
    }
    pos += n;
    buf[pos++] = 10;
  }
  return buf.subarray(0, pos);
}
