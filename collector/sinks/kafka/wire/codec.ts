/**
 * Kafka's primitive types on the wire (big-endian ints, int16-length strings, int32-length
 * arrays and bytes, zigzag varints inside record batches): a growable writer for requests and a
 * bounds-checked reader for responses.
 */
import { GrowableBuffer } from '../../../../common/growable-buffer.js';

/** Strings up to this many characters are measured and written by a loop (`utf8Length`, `Writer.utf8`). */
const SHORT_STRING = 64;

/** Bytes of `s` in UTF-8: counted for a short ASCII string, else as Buffer.byteLength does. */
export function utf8Length(s: string): number {
  if (s.length > SHORT_STRING) return Buffer.byteLength(s, 'utf8');
  for (let k = 0; k < s.length; k++) if (s.charCodeAt(k) >= 0x80) return Buffer.byteLength(s, 'utf8');
  return s.length;
}

export class Writer extends GrowableBuffer {
  constructor(initialBytes = 1024) {
    super(initialBytes);
  }

  int8(v: number): this {
    this.ensure(1);
    this.buf.writeInt8(v, this.pos);
    this.pos += 1;
    return this;
  }

  int16(v: number): this {
    this.ensure(2);
    this.buf.writeInt16BE(v, this.pos);
    this.pos += 2;
    return this;
  }

  int32(v: number): this {
    this.ensure(4);
    this.buf.writeInt32BE(v, this.pos);
    this.pos += 4;
    return this;
  }

  uint32(v: number): this {
    this.ensure(4);
    this.buf.writeUInt32BE(v, this.pos);
    this.pos += 4;
    return this;
  }

  int64(v: bigint): this {
    this.ensure(8);
    this.buf.writeBigInt64BE(v, this.pos);
    this.pos += 8;
    return this;
  }

  /** int16 length + UTF-8, or -1 for null. */
  string(s: string | null): this {
    if (s === null) return this.int16(-1);
    const n = Buffer.byteLength(s, 'utf8');
    return this.int16(n).utf8(s, n);
  }

  /** int32 count, then each item. */
  array<T>(items: readonly T[], each: (w: this, item: T) => void): this {
    this.int32(items.length);
    for (const item of items) each(this, item);
    return this;
  }

  /** Overwrite an int32 written earlier (a length known only afterwards). */
  patchInt32(at: number, v: number): void {
    this.buf.writeInt32BE(v, at);
  }

  patchUint32(at: number, v: number): void {
    this.buf.writeUInt32BE(v, at);
  }

  /** Zigzag varint (record fields). */
  varint(v: number): this {
    this.ensure(5);
    let z = ((v << 1) ^ (v >> 31)) >>> 0;
    while (z >= 0x80) {
      this.buf[this.pos++] = (z & 0x7f) | 0x80;
      z >>>= 7;
    }
    this.buf[this.pos++] = z;
    return this;
  }

  /** UTF-8 of `s`, whose byte length the caller has measured. */
  utf8(s: string, byteLength: number): this {
    this.ensure(byteLength);
    if (byteLength === s.length && byteLength <= SHORT_STRING) {
      // All ASCII (any other character takes more than one byte): a loop beats `write`'s fixed
      // cost for a symbol, a header key or a seq, several of which every record carries.
      for (let k = 0; k < byteLength; k++) this.buf[this.pos + k] = s.charCodeAt(k);
      this.pos += byteLength;
    } else this.pos += this.buf.write(s, this.pos, byteLength, 'utf8');
    return this;
  }
}

/** Bytes a zigzag varint of `v` takes. */
export function varintSize(v: number): number {
  let z = ((v << 1) ^ (v >> 31)) >>> 0;
  let n = 1;
  while (z >= 0x80) {
    z >>>= 7;
    n++;
  }
  return n;
}

export class ProtocolError extends Error {
  override readonly name = 'KafkaWireProtocolError';
}

export class Reader {
  private pos = 0;

  constructor(private readonly buf: Buffer) {}

  private need(n: number, what: string): void {
    if (this.pos + n > this.buf.length) {
      throw new ProtocolError(
        `Kafka response ended early: ${what} needs ${n} bytes at ${this.pos} of ${this.buf.length}`,
      );
    }
  }

  int8(): number {
    this.need(1, 'int8');
    return this.buf.readInt8(this.pos++);
  }

  bool(): boolean {
    return this.int8() !== 0;
  }

  int16(): number {
    this.need(2, 'int16');
    const v = this.buf.readInt16BE(this.pos);
    this.pos += 2;
    return v;
  }

  int32(): number {
    this.need(4, 'int32');
    const v = this.buf.readInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  int64(): bigint {
    this.need(8, 'int64');
    const v = this.buf.readBigInt64BE(this.pos);
    this.pos += 8;
    return v;
  }

  string(): string {
    const s = this.nullableString();
    if (s === null) throw new ProtocolError('Kafka response: a string was null');
    return s;
  }

  nullableString(): string | null {
    const n = this.int16();
    if (n < 0) return null;
    this.need(n, 'string');
    const s = this.buf.toString('utf8', this.pos, this.pos + n);
    this.pos += n;
    return s;
  }

  array<T>(each: (r: Reader) => T): T[] {
    const n = this.int32();
    if (n < 0) return [];
    const out: T[] = [];
    for (let i = 0; i < n; i++) out.push(each(this));
    return out;
  }
}
