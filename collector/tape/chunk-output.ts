/**
 * Writes whole chunks to a file in order, one write in flight at a time, plain or through gzip.
 * The caller batches lines into large chunks; this only queues them and reports how many bytes
 * wait, so the caller can apply backpressure.
 */
import { once } from 'node:events';
import type { WriteStream } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { finished } from 'node:stream/promises';
import { createGzip, type Gzip } from 'node:zlib';
import { errorMessage, L2hError } from '../../common/errors.js';

export interface ChunkOutput {
  /** Queue a chunk; it is written after every chunk queued before it. */
  push(chunk: Buffer): void;
  /** Bytes queued and not yet handed to the file (or to gzip). */
  readonly queuedBytes: number;
  /** Resolves when every queued chunk is written; rejects with the first write error. */
  idle(): Promise<void>;
  /** Write what is queued, flush gzip, fsync if asked. The caller then closes the handle. */
  finish(fsync: boolean): Promise<void>;
}

/** `gzipLevel` null writes plain bytes; 1…9 compresses. */
export function chunkOutput(handle: FileHandle, path: string, gzipLevel: number | null): ChunkOutput {
  return gzipLevel === null
    ? new PlainChunkOutput(handle, path)
    : new GzipChunkOutput(handle, path, gzipLevel);
}

abstract class QueuedOutput implements ChunkOutput {
  private readonly queue: Buffer[] = [];
  private queued = 0;
  private running: Promise<void> | null = null;
  private failure: L2hError | null = null;

  constructor(
    protected readonly handle: FileHandle,
    protected readonly path: string,
  ) {}

  get queuedBytes(): number {
    return this.queued + this.innerBuffered();
  }

  push(chunk: Buffer): void {
    if (this.failure) throw this.failure;
    this.queue.push(chunk);
    this.queued += chunk.length;
    this.running ??= this.pump();
  }

  async idle(): Promise<void> {
    while (this.running) await this.running;
    if (this.failure) throw this.failure;
  }

  async finish(fsync: boolean): Promise<void> {
    await this.idle();
    try {
      await this.end(fsync);
    } catch (err) {
      throw this.fail(err);
    }
  }

  protected abstract writeChunk(chunk: Buffer): Promise<void>;
  /** Everything is written to the file, and fsynced when asked. */
  protected abstract end(fsync: boolean): Promise<void>;
  protected innerBuffered(): number {
    return 0;
  }

  protected fail(err: unknown): L2hError {
    this.failure ??=
      err instanceof L2hError
        ? err
        : new L2hError(`cannot write the tape: ${errorMessage(err)}`, {
            code: 'IO',
            cause: err,
            context: { file: this.path },
          });
    return this.failure;
  }

  private async pump(): Promise<void> {
    try {
      for (let chunk = this.queue.shift(); chunk !== undefined; chunk = this.queue.shift()) {
        // A failure may come from outside the pump (a gzip sink's error event): a write to a
        // destroyed stream would wait for a 'drain' that never comes.
        if (this.failure) throw this.failure;
        await this.writeChunk(chunk);
        this.queued -= chunk.length;
      }
    } catch (err) {
      this.fail(err);
      this.queue.length = 0;
      this.queued = 0;
    } finally {
      this.running = null;
    }
  }
}

class PlainChunkOutput extends QueuedOutput {
  protected async writeChunk(chunk: Buffer): Promise<void> {
    let done = 0;
    while (done < chunk.length) {
      const { bytesWritten } = await this.handle.write(chunk, done, chunk.length - done);
      done += bytesWritten;
    }
  }

  protected async end(fsync: boolean): Promise<void> {
    if (fsync) await this.handle.sync();
  }
}

class GzipChunkOutput extends QueuedOutput {
  private readonly gzip: Gzip;
  private readonly sink: WriteStream;

  constructor(handle: FileHandle, path: string, level: number) {
    super(handle, path);
    this.gzip = createGzip({ chunkSize: 256 * 1024, level });
    this.sink = handle.createWriteStream({ autoClose: false, highWaterMark: 1 << 20 });
    this.gzip.pipe(this.sink);
    this.gzip.on('error', (err) => this.broken(err));
    this.sink.on('error', (err) => this.broken(err));
  }

  /**
   * pipe() only unpipes when the file write fails: gzip would wait for a reader that is gone
   * (no 'drain'), and the sink, errored, never finishes, nor closes (the handle's close() waits
   * for it). Destroy both so every wait settles; destroying the sink releases the handle.
   */
  private broken(err: Error): void {
    this.fail(err);
    this.gzip.destroy(err);
    this.sink.destroy();
  }

  protected override innerBuffered(): number {
    return this.gzip.writableLength;
  }

  protected async writeChunk(chunk: Buffer): Promise<void> {
    if (!this.gzip.write(chunk)) await once(this.gzip, 'drain');
  }

  protected async end(fsync: boolean): Promise<void> {
    // finished(), unlike once('finish'), also settles for a sink that errored or was
    // destroyed before this call.
    const written = finished(this.sink);
    this.gzip.end();
    await written;
    if (fsync) await this.handle.sync();
    // The stream holds a reference on the handle until it is destroyed (the handle's close()
    // would wait forever), and destroying it closes the handle: so fsync first.
    if (this.sink.closed) return;
    const closed = once(this.sink, 'close');
    this.sink.destroy();
    await closed;
  }
}
