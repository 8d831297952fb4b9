import { describe, expect, it } from 'vitest';
import { GrowableBuffer } from '../../common/growable-buffer.js';

describe('GrowableBuffer', () => {
  it('raw appends a range of bytes, short (byte loop) or long (set), growing as needed', () => {
    const b = new GrowableBuffer(4);
    const src = Buffer.from(Array.from({ length: 300 }, (_, i) => i % 251));
    b.raw(src, 2, 5);
    b.raw(src, 10, 210); // longer than the short-copy loop, and than the buffer
    b.raw(src);
    expect(b.length).toBe(3 + 200 + 300);
    expect(b.bytes().equals(Buffer.concat([src.subarray(2, 5), src.subarray(10, 210), src]))).toBe(true);
  });

  it('truncate drops what was written after an earlier position, and refuses any other', () => {
    const b = new GrowableBuffer(8);
    b.raw(Buffer.from([1, 2, 3, 4]));
    b.truncate(2);
    b.raw(Buffer.from([9]));
    expect([...b.bytes()]).toEqual([1, 2, 9]);
    expect(() => b.truncate(4)).toThrow(/truncate to 4: the position is 3/);
    expect(() => b.truncate(-1)).toThrow(RangeError);
    expect(() => b.truncate(1.5)).toThrow(RangeError);
    expect(b.length).toBe(3);
  });
});
