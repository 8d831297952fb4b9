import { describe, expect, it } from 'vitest';
import { GrowableBuffer } from '../../common/growable-buffer.js';

describe('GrowableBuffer', () => {
  it('keeps what was written in place through target() once commit moves the position past it', () => {
    const b = new GrowableBuffer(4);
    b.ensure(3);
    const t = b.target();
    t[0] = 1;
    t[1] = 2;
    t[2] = 3;
    expect(b.length).toBe(0);
    b.commit(3);
    expect([...b.bytes()]).toEqual([1, 2, 3]);
    b.ensure(100); // grows: the committed bytes move with it, the old target is stale
    expect(b.target()).not.toBe(t);
    expect([...b.bytes()]).toEqual([1, 2, 3]);
  });

  it('refuses to commit backwards or past the buffer', () => {
    const b = new GrowableBuffer(8);
    b.commit(4);
    expect(() => b.commit(3)).toThrow(/commit to 3: the position is 4/);
    expect(() => b.commit(9)).toThrow(/the buffer 8 bytes/);
    expect(() => b.commit(4.5)).toThrow(RangeError);
    expect(b.length).toBe(4);
  });
});
