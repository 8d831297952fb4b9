/**
 * How a sink catching up writes what one journal read derived: in whole batches, each with the
 * checkpoint it may claim once written. A checkpoint is a promise that every record at or below
 * it is in the sink: after a crash the records above it come again, and those below never do.
 */
import type { RecordEnvelope } from '../records/types.js';

export interface CaughtUpPlan {
  readonly batches: readonly { readonly records: RecordEnvelope[]; readonly checkpoint: number | null }[];
  /** Nothing to write: the checkpoint may move over record-less lines to here. */
  readonly idleCheckpoint: number | null;
}

/**
 * What the catch-up derived (records with seq > `from`), cut into batches of `batchSize` (one
 * line's records are never split), the last carrying the checkpoint, taken now: the deriver
 * moves on meanwhile. Unless `all`, a last part smaller than a batch stays in `out` for the next
 * read, and the checkpoint claims only what is written: through `safeSeq`, but below every
 * record kept.
 */
export function planCaughtUp(
  out: RecordEnvelope[],
  from: number,
  safeSeq: number,
  batchSize: number,
  all: boolean,
): CaughtUpPlan {
  const todo = out.filter((r) => r.seq > from);
  out.length = 0;
  const batches: { records: RecordEnvelope[]; checkpoint: number | null }[] = [];
  let i = 0;
  while (i < todo.length) {
    let end = Math.min(todo.length, i + batchSize);
    while (end < todo.length && todo[end].seq === todo[end - 1].seq) end++;
    if (end === todo.length && end - i < batchSize && !all) break;
    batches.push({ records: todo.slice(i, end), checkpoint: null });
    i = end;
  }
  // The records kept are not in seq order (a summary burst's L2 record follows the L1 records of
  // later seqs that came in the middle of the burst): the first kept need not be the smallest.
  let keptMin = Number.POSITIVE_INFINITY;
  for (let k = i; k < todo.length; k++) {
    out.push(todo[k]);
    if (todo[k].seq < keptMin) keptMin = todo[k].seq;
  }
  // One checkpoint after the last write of what was read (an atomic file write, not one per batch).
  if (batches.length > 0) batches[batches.length - 1].checkpoint = Math.min(safeSeq, keptMin - 1);
  // Lines that made no record for the sink still move its checkpoint, now and then.
  return { batches, idleCheckpoint: todo.length === 0 ? safeSeq : null };
}
