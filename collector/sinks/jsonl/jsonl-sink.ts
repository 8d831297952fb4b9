/**
 * The JSONL sink: one record per line in `<data-dir>/<SYMBOL>_<kind>_<YYYYMMDD>.jsonl`
 * (file-names.ts), the line being the record's JSON exactly as derived.
 *
 * Durability: where the platform has O_DSYNC (Linux, macOS), files are opened with it, so each
 * file's append (one writev) returns only once its data, and the size that makes it readable,
 * are on disk: what a write and an fdatasync give, in one system call and one trip through the
 * thread pool instead of two. Measured at a paced 10k msgs/s on 2 cores, the separate fdatasync
 * per touched file per batch doubled the sink's calls, and the calls (each wakes a pool thread
 * that competes with the event loop for the CPU) were the collector's largest cost; elsewhere
 * each append is followed by an fdatasync. `write` resolves only once every touched file is
 * durable — the runner's checkpoint claims those records. A file is closed (already durable)
 * when its (symbol, kind) moves to a new day, when more than `maxOpenFiles` are open, and at
 * `close`. A directory that gained files is fsynced too, or a crash could lose the new file's
 * name.
 *
 * Idempotent by (session, seq) across restarts: `open` cuts a torn last line off every JSONL file
 * in the directory; the first time a file is written to, its last record of this session is
 * found (tail.ts), and records with seq ≤ that are skipped. Within a file a session's seqs only
 * grow (collector/records/deriver.ts), so one number per file says what it holds.
 */
import { constants as fsConstants } from 'node:fs';
import { type FileHandle, mkdir, open, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { errorMessage, L2hError } from '../../../common/errors.js';
import { type Logger, silentLogger } from '../../../common/logger.js';
import { nodeJournalFs } from '../../journal/files.js';
import type { RecordEnvelope, RecordKind } from '../../records/types.js';
import type { Sink } from '../sink.js';
import { lockDataDir } from './dir-lock.js';
import { fileSymbol, parseJsonlFileName } from './file-names.js';
import { lastSeqOf, repairTornTail } from './tail.js';

/** Windows has no O_DSYNC (nor O_SYNC): there the sink fdatasyncs after each append instead. */
const DSYNC: number | undefined = (fsConstants as Partial<typeof fsConstants>).O_DSYNC;
/** `a+` (read for the tail, append, create) plus O_DSYNC: a write returns once it is durable. */
const APPEND_DSYNC =
  DSYNC === undefined ? null : fsConstants.O_RDWR | fsConstants.O_APPEND | fsConstants.O_CREAT | DSYNC;

export interface JsonlSinkOptions {
  readonly dataDir: string;
  readonly session: string;
  readonly logger?: Logger;
  /** Files kept open at once (default 256); the least recently written is closed beyond it. */
  readonly maxOpenFiles?: number;
  /**
   * Durable before `write` resolves (default true). Off only to measure what syncing costs:
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

interface StreamNames {
  /** `<symbol>_<kind>` with the symbol escaped for a file name. */
  readonly stream: string;
  /** The day of the stream's last record and its file name. */
  day: string;
  name: string;
  /** The batch `group` belongs to (a batch number; 0 for none). */
  batch: number;
  group: Group | null;
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
  /** File appends made durable (one per touched file per batch). */
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
  private readonly streams = new Map<string, Map<RecordKind, StreamNames>>();
  private batches = 0;
  private unlock: (() => Promise<void>) | null = null;
  private linesWritten = 0;
  private bytesWritten = 0;
  private skipped = 0;
  private syncs = 0;
  private tornCut = 0;
  /**
   * A file was created and the directory not fsynced since: kept across writes, because a batch
   * that creates one file and fails on another is written again, and that retry creates nothing.
   */
  private dirDirty = false;

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
    // Every file's append at once: each append is also its file's sync, so a batch costs one
    // round of thread-pool work however many files it touches (the event loop may be busy with
    // the feed, and each round waits for a turn of it).
    const results = await Promise.allSettled(
      groups.map((g) =>
        this.writeGroup(g, () => {
          this.dirDirty = true;
        }),
      ),
    );
    const failed = results.find((r) => r.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
    if (this.sync) {
      for (const r of results) if (r.status === 'fulfilled' && r.value !== null) this.syncs++;
      if (this.dirDirty) {
        await this.syncDir();
        this.dirDirty = false;
      }
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
    await this.append(file, lineRuns(fresh));
    file.lastSeq = last;
    this.linesWritten += fresh.length;
    return file;
  }

  async close(): Promise<void> {
    // Every append was durable when it returned (or syncing is off): nothing is left to sync.
    const files = [...this.files.values()];
    try {
      for (const f of files) await this.closeFile(f).catch(() => undefined);
    } finally {
      await this.unlock?.();
      this.unlock = null;
    }
  }

  // ── files ──────────────────────────────────────────────────────────────────────────────

  private group(batch: readonly RecordEnvelope[]): Map<string, Group> {
    const groups = new Map<string, Group>();
    const stamp = ++this.batches;
    for (const r of batch) {
      const names = this.namesOf(r.symbol, r.kind);
      // The file name of the stream's day, built once per day, and its group in this batch.
      if (names.day !== r.day) {
        names.day = r.day;
        names.name = `${names.stream}_${r.day}.jsonl`;
        names.batch = 0;
      }
      let g = names.batch === stamp ? names.group : groups.get(names.name);
      if (g === undefined || g === null) {
        g = { name: names.name, stream: names.stream, day: r.day, records: [] };
        groups.set(g.name, g);
      }
      names.batch = stamp;
      names.group = g;
      g.records.push(r);
    }
    return groups;
  }

  /** The names of a (symbol, kind) stream's files, kept per stream. */
  private namesOf(symbol: string, kind: RecordKind): StreamNames {
    let byKind = this.streams.get(symbol);
    if (byKind === undefined) {
      byKind = new Map();
      this.streams.set(symbol, byKind);
    }
    let names = byKind.get(kind);
    if (names === undefined) {
      names = { stream: `${fileSymbol(symbol)}_${kind}`, day: '', name: '', batch: 0, group: null };
      byKind.set(kind, names);
    }
    return names;
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
      handle = await open(path, this.sync && APPEND_DSYNC !== null ? APPEND_DSYNC : 'a+');
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

  /** Append the parts in order, with one writev (and more only after a short write). */
  private async append(file: OpenFile, parts: Buffer[]): Promise<void> {
    let total = 0;
    for (const p of parts) total += p.length;
    try {
      let done = 0;
      let rest = parts;
      while (done < total) {
        const { bytesWritten } = await file.handle.writev(rest);
        done += bytesWritten;
        if (done < total) rest = remainder(rest, bytesWritten);
      }
      if (this.sync && APPEND_DSYNC === null) await file.handle.datasync();
      this.bytesWritten += total;
    } catch (err) {
      // Part of the text may be in the file (or on disk): forget the file, so the retry re-reads
      // its tail (cutting a torn line, skipping records that made it) instead of writing them twice.
      await this.closeFile(file).catch(() => undefined);
      throw this.ioError('write', file.path, err);
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
 * The records' JSONL lines, as the parts one writev writes. The deriver wrote each record's
 * line as bytes (collector/records/record-bytes.ts), each symbol and kind in its own chunks, so
 * the lines of one file mostly lie side by side: each run of adjacent lines is one part, written
 * from where it lies (no copy). An envelope made from a JSON string (tests, tools) is encoded
 * here, those of a run together.
 */
export function lineRuns(records: readonly RecordEnvelope[]): Buffer[] {
  const parts: Buffer[] = [];
  let run: Buffer | null = null;
  let runStart = 0;
  let runEnd = 0;
  let text: string[] = [];
  for (let i = 0; i < records.length; i++) {
    const r = records[i];
    const bytes = r.lineBytes;
    if (bytes !== null && bytes === run && r.lineStart === runEnd) {
      runEnd = r.lineEnd;
      continue;
    }
    if (run !== null) parts.push(run.subarray(runStart, runEnd));
    run = bytes;
    if (bytes !== null) {
      if (text.length > 0) {
        parts.push(Buffer.from(text.join(''), 'utf8'));
        text = [];
      }
      runStart = r.lineStart;
      runEnd = r.lineEnd;
    } else {
      text.push(r.json, '\n');
    }
  }
  if (run !== null) parts.push(run.subarray(runStart, runEnd));
  if (text.length > 0) parts.push(Buffer.from(text.join(''), 'utf8'));
  return parts;
}

/** The parts after the first `written` bytes of them. */
function remainder(parts: readonly Buffer[], written: number): Buffer[] {
  let skip = written;
  let i = 0;
  while (i < parts.length && skip >= parts[i].length) skip -= parts[i++].length;
  const rest = parts.slice(i);
  if (skip > 0) rest[0] = rest[0].subarray(skip);
  return rest;
}
