/**
 * The part every binary encoder here shares: bytes appended at a position into a buffer that
 * doubles when it runs out (one copy per doubling), read back as a view. Subclasses add the
 * encodings (ClickHouse RowBinary, the Kafka protocol).
 */
export class GrowableBuffer {
  protected buf: Buffer;
  /** `buf` as a DataView, for fixed-width numbers: cheaper than Buffer's write*LE methods. */
  protected view: DataView;
  protected pos = 0;

  constructor(initialBytes: number) {
    this.buf = Buffer.allocUnsafe(Math.max(1, initialBytes));
    this.view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
  }

  get length(): number {
    return this.pos;
  }

  /** The bytes written so far (a view: valid until the next write or `reset`). */
  bytes(): Buffer {
    return this.buf.subarray(0, this.pos);
  }

  reset(): void {
    this.pos = 0;
  }

  /** Back to `pos`, an earlier position: what was written after it is dropped (a row given up). */
  truncate(pos: number): void {
    if (!Number.isInteger(pos) || pos < 0 || pos > this.pos) {
      throw new RangeError(`truncate to ${pos}: the position is ${this.pos}`);
    }
    this.pos = pos;
  }

  /** The bytes `b[start, end)` as they are. */
  raw(b: Uint8Array, start = 0, end = b.length): this {
    const n = end - start;
    this.ensure(n);
    // A byte loop beats `set`'s fixed cost for a symbol or a timestamp.
    if (n > 64) this.buf.set(b.subarray(start, end), this.pos);
    else for (let k = 0; k < n; k++) this.buf[this.pos + k] = b[start + k]!;
    this.pos += n;
    return this;
  }

  /** Room for `n` more bytes at the write position. */
  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
    this.view = new DataView(next.buffer, next.byteOffset, next.byteLength);
  }
}
