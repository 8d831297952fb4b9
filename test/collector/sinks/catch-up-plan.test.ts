import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { RecordEnvelope, RecordKind } from '../../../collector/records/types.js';
import { planCaughtUp } from '../../../collector/sinks/catch-up-plan.js';

const rec = (kind: RecordKind, seq: number) => ({ kind, symbol: 'AAPL', seq }) as unknown as RecordEnvelope;
const ids = (rs: readonly RecordEnvelope[]) => rs.map((r) => `${r.kind}@${r.seq}`);

describe('planCaughtUp', () => {
  it('claims no record it keeps for the next read, though a summary burst put them out of seq order', () => {
    // Ten L2 updates, then a burst row @11 with an L1 quote @12 in the middle of the burst: the
    // deriver emits the quote's records before the burst's L2 record.
    const out = [
      ...Array.from({ length: 10 }, (_, i) => rec('l2', i + 1)),
      rec('l1', 12),
      rec('ticks', 12),
      rec('l2', 11),
    ];
    const plan = planCaughtUp(out, 0, 13, 5, false);
    expect(plan.batches.flatMap((b) => ids(b.records))).toEqual(
      Array.from({ length: 10 }, (_, i) => `l2@${i + 1}`),
    );
    expect(ids(out)).toEqual(['l1@12', 'ticks@12', 'l2@11']);
    // Claiming 11 (below the first kept) would let a crash now lose l2@11 for good.
    expect(plan.batches.at(-1)!.checkpoint).toBe(10);
  });

  it('writes every record after `from` once, in order, keeps the rest, and claims only what is written', () => {
    // Lines: runs of records sharing a seq; now and then a record of an earlier seq comes late.
    const line = fc.record({ seq: fc.integer({ min: 1, max: 60 }), records: fc.integer({ min: 1, max: 3 }) });
    fc.assert(
      fc.property(
        fc.array(line, { maxLength: 40 }),
        fc.integer({ min: 0, max: 30 }),
        fc.integer({ min: 0, max: 70 }),
        fc.integer({ min: 1, max: 8 }),
        fc.boolean(),
        (lines, from, safeSeq, batchSize, all) => {
          const out = lines.flatMap((l) =>
            Array.from({ length: l.records }, (_, k) => rec(k % 2 ? 'l1' : 'l2', l.seq)),
          );
          const todo = out.filter((r) => r.seq > from);
          const plan = planCaughtUp(out, from, safeSeq, batchSize, all);
          const written = plan.batches.flatMap((b) => b.records);
          // Nothing lost or doubled: what is written, then what is kept, is what was derived.
          expect([...written, ...out]).toEqual(todo);
          if (all) expect(out).toEqual([]);
          else for (const b of plan.batches) expect(b.records.length).toBeGreaterThanOrEqual(batchSize);
          // A line's records (adjacent, one seq) are never split between a batch and the next.
          let cut = 0;
          for (const b of plan.batches) {
            cut += b.records.length;
            if (cut < todo.length) expect(todo[cut]!.seq).not.toBe(todo[cut - 1]!.seq);
          }
          // Only the last batch claims, never past safeSeq nor as far as a record kept.
          for (const b of plan.batches.slice(0, -1)) expect(b.checkpoint).toBeNull();
          const claim = plan.batches.at(-1)?.checkpoint;
          if (claim !== undefined && claim !== null) {
            expect(claim).toBeLessThanOrEqual(safeSeq);
            for (const r of out) expect(r.seq).toBeGreaterThan(claim);
          }
          expect(plan.idleCheckpoint).toBe(todo.length === 0 ? safeSeq : null);
        },
      ),
      { numRuns: 500 },
    );
  });
});
