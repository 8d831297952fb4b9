/**
 * The part every binary encoder here shares: bytes appended at a position into a buffer that
 * doubles when it runs out (one copy per doubling), read back as a view. Subclasses add the
 * encodings (ClickHouse RowBinary, the Kafka protocol).
 */
export class GrowableBuffer {
  protected buf: Buffer;
  protected pos = 0;

  constructor(initialBytes: number) {
    this.buf = Buffer.allocUnsafe(Math.max(1, initialBytes));
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

  /**
   * For an encoder that writes in place (after `ensure`): the buffer itself, valid until the next
   * `ensure` grows it. Its bytes count once `commit` moves the position past them.
   */
  target(): Buffer {
    return this.buf;
  }

  /** The bytes up to `pos` were written in place through `target()`. */
  commit(pos: number): void {
    if (!Number.isInteger(pos) || pos < this.pos || pos > this.buf.length) {
      throw new RangeError(
        `commit to ${pos}: the position is ${this.pos}, the buffer ${this.buf.length} bytes`,
      );
    }
    this.pos = pos;
  }

  /** Room for `n` more bytes at the write position. */
  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }
}
