import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Envelope } from '../../../collector/records/json.js';
import { RecordQueue } from '../../../collector/sinks/record-queue.js';

const rec = (seq: number) => new Envelope('l1', 'X', seq, '20250725', `{"seq":${seq}}`);

describe('RecordQueue', () => {
  it('behaves like a bounded FIFO that knows its smallest seq, growing its slots as it fills', () => {
    const op = fc.oneof(
      fc.record({ push: fc.integer({ min: 1, max: 50 }) }),
      fc.record({ take: fc.integer({ min: 0, max: 6 }) }),
      fc.constant({ clear: true }),
    );
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 4 }),
        fc.array(op, { maxLength: 200 }),
        (capacity, initialSlots, ops) => {
          const q = new RecordQueue(capacity, Number.POSITIVE_INFINITY, initialSlots);
          let model: number[] = [];
          for (const o of ops) {
            if ('push' in o) {
              const ok = q.push(rec(o.push));
              expect(ok).toBe(model.length < capacity);
              if (ok) model.push(o.push);
            } else if ('take' in o) {
              expect(q.take(o.take).map((r) => r.seq)).toEqual(model.slice(0, o.take));
              model = model.slice(o.take);
            } else {
              q.clear();
              model = [];
            }
            expect(q.length).toBe(model.length);
            expect(q.minSeq()).toBe(model.length === 0 ? Number.POSITIVE_INFINITY : Math.min(...model));
            expect(q.peek()?.seq).toBe(model[0]);
            const limit = 25;
            const firstOver = model.findIndex((s) => s > limit);
            expect(q.eligible(limit, 4)).toBe(Math.min(4, firstOver < 0 ? model.length : firstOver));
          }
        },
      ),
    );
  });

  it('bounds the bytes its records hold, and always takes one record when empty', () => {
    const bytes = Buffer.alloc(5000);
    const rec = (seq: number, size: number) => new Envelope('l2', 'X', seq, '20250725', null, bytes, 0, size);
    const q = new RecordQueue(100, 1000);
    expect(q.push(rec(1, 400))).toBe(true);
    expect(q.push(rec(2, 500))).toBe(true);
    expect(q.byteLength).toBe(900);
    expect(q.push(rec(3, 101))).toBe(false);
    expect(q.push(rec(3, 100))).toBe(true);
    expect(q.take(2).map((r) => r.seq)).toEqual([1, 2]);
    expect(q.byteLength).toBe(100);
    q.clear();
    expect(q.byteLength).toBe(0);
    // A record larger than the bound still goes into an empty queue: the sink must see it.
    expect(q.push(rec(4, 5000))).toBe(true);
    expect(q.byteLength).toBe(5000);
    expect(q.push(rec(5, 1))).toBe(false);
    // A string envelope counts its text and newline.
    const text = new RecordQueue(10, 20);
    expect(text.push(new Envelope('l1', 'X', 1, '20250725', '{"seq":1}'))).toBe(true);
    expect(text.byteLength).toBe(10);
  });
});
