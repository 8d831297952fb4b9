import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Envelope } from '../../../collector/records/json.js';
import { RECORD_KINDS, type RecordEnvelope, type RecordKind } from '../../../collector/records/types.js';
import { RecordQueue, recordBytes } from '../../../collector/sinks/record-queue.js';

/** A record as the test sees it: what a sink reads of an envelope. */
const fields = (r: RecordEnvelope) => ({
  kind: r.kind,
  symbol: r.symbol,
  seq: r.seq,
  day: r.day,
  json: r.json,
});

/**
 * Records as the deriver makes them (JSONL lines in a byte chunk per symbol, a new chunk now and
 * then) or from a JSON string, of any kind, symbol and day.
 */
function recordMaker() {
  const chunks = new Map<string, { chunk: Buffer; at: number }>();
  return (
    seq: number,
    kind: RecordKind,
    symbol: string,
    day: string,
    asString: boolean,
    newChunk: boolean,
  ) => {
    const json = `{"seq":${seq},"symbol":${JSON.stringify(symbol)}}`;
    if (asString) return new Envelope(kind, symbol, seq, day, json);
    const line = Buffer.from(`${json}\n`, 'utf8');
    let c = chunks.get(symbol);
    if (c === undefined || newChunk || c.at + line.length > c.chunk.length) {
      c = { chunk: Buffer.alloc(1024), at: 0 };
      chunks.set(symbol, c);
    }
    line.copy(c.chunk, c.at);
    c.at += line.length;
    return new Envelope(kind, symbol, seq, day, null, c.chunk, c.at - line.length, c.at);
  };
}

/** Runs of byte records (in order, string envelopes skipped) whose lines lie in the same chunk. */
function chunkRuns(records: readonly RecordEnvelope[]): number {
  let runs = 0;
  let last: Buffer | null = null;
  for (const r of records) {
    if (r.lineBytes === null) continue;
    if (r.lineBytes !== last) runs++;
    last = r.lineBytes;
  }
  return runs;
}

describe('RecordQueue', () => {
  it('behaves like a FIFO bounded in records and bytes that knows its smallest seq, its slots and chunks following what it holds', () => {
    const op = fc.oneof(
      fc.record({
        push: fc.integer({ min: 1, max: 50 }),
        kind: fc.constantFrom(...RECORD_KINDS),
        symbol: fc.constantFrom('AAPL', '@ESZ24', 'MSFT', 'Ä1', 'SPY', 'QQQ'),
        day: fc.constantFrom('20250725', '20250726', '20250727', '20250728', '20250729'),
        asString: fc.boolean(),
        newChunk: fc.boolean(),
      }),
      fc.record({ take: fc.integer({ min: 0, max: 6 }) }),
      fc.constant({ clear: true }),
    );
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 4 }),
        fc.option(fc.integer({ min: 60, max: 600 }), { nil: Number.POSITIVE_INFINITY }),
        fc.array(op, { maxLength: 200 }),
        (capacity, initialSlots, maxBytes, ops) => {
          const q = new RecordQueue(capacity, maxBytes, initialSlots);
          const make = recordMaker();
          let model: RecordEnvelope[] = [];
          for (const o of ops) {
            if ('push' in o) {
              const r = make(o.push, o.kind, o.symbol, o.day, o.asString, o.newChunk);
              const ok = q.push(r);
              const held = model.reduce((sum, m) => sum + recordBytes(m), 0);
              expect(ok).toBe(
                model.length < capacity && (model.length === 0 || held + recordBytes(r) <= maxBytes),
              );
              if (ok) model.push(r);
            } else if ('take' in o) {
              expect(q.take(o.take).map(fields)).toEqual(model.slice(0, o.take).map(fields));
              model = model.slice(o.take);
            } else {
              q.clear();
              model = [];
            }
            const seqs = model.map((r) => r.seq);
            expect(q.length).toBe(model.length);
            expect(q.byteLength).toBe(model.reduce((sum, r) => sum + recordBytes(r), 0));
            expect(q.minSeq()).toBe(seqs.length === 0 ? Number.POSITIVE_INFINITY : Math.min(...seqs));
            expect(q.peekSeq()).toBe(seqs[0]);
            const limit = 25;
            const firstOver = seqs.findIndex((s) => s > limit);
            expect(q.eligible(limit, 4)).toBe(Math.min(4, firstOver < 0 ? seqs.length : firstOver));
            // Places: never fewer than held; after a take, at most four times what it holds (it shrinks as it drains).
            expect(q.slotCount).toBeGreaterThanOrEqual(Math.max(q.length, Math.min(capacity, initialSlots)));
            if ('take' in o)
              expect(q.slotCount).toBeLessThanOrEqual(
                Math.max(Math.min(capacity, initialSlots), 4 * q.length),
              );
            // Chunks: after a take, exactly one entry per run of queued lines in the same chunk.
            if ('take' in o || 'clear' in o) expect(q.chunkEntries).toBe(chunkRuns(model));
          }
        },
      ),
    );
  });

  it('keeps each line in its chunk while symbols interleave and takes let go of chunks', () => {
    // As the deriver writes: a chunk per symbol, records of the symbols in turn.
    const chunks = ['AAAA\nBBBB\nCCCC\nDDDD\n', 'aaaa\nbbbb\ncccc\ndddd\n'].map((t) => Buffer.from(t));
    const q = new RecordQueue(100);
    const want: string[] = [];
    for (let i = 0; i < 4; i++) {
      for (const [k, chunk] of chunks.entries()) {
        q.push(new Envelope('l1', k === 0 ? 'A' : 'B', i * 2 + k, '20250725', null, chunk, i * 5, i * 5 + 5));
        want.push(chunk.toString('utf8', i * 5, i * 5 + 4));
      }
    }
    const got: string[] = [];
    for (let i = 0; i < 8; i++) got.push(q.take(1)[0]!.json);
    expect(got).toEqual(want);
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
