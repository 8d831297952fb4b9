/**
 * Preloaded into the collector (`node --import`) by the crash-restart sabotage, never in a real
 * run: each JSONL write is held HOLD_MS before it starts, as a slow disk would hold it, so at any
 * moment of a paced replay the sink lacks the last lines the journal holds. The sabotage then
 * moves the checkpoints past them; without the hold, a fast machine's sink had often written
 * every line by the kill and the sabotage had nothing to skip.
 */

import type { RecordEnvelope } from '../../../collector/records/types.js';
import { JsonlSink } from '../../../collector/sinks/jsonl/jsonl-sink.js';

const HOLD_MS = 250;
type Write = (batch: readonly RecordEnvelope[]) => Promise<void>;
const proto = JsonlSink.prototype as unknown as { write: Write };
const write = proto.write;
if (typeof write !== 'function') throw new Error('sabotage: JsonlSink.write not found');
proto.write = async function (this: JsonlSink, batch: readonly RecordEnvelope[]): Promise<void> {
  await new Promise<void>((resolve) => setTimeout(resolve, HOLD_MS));
  return write.call(this, batch);
};
