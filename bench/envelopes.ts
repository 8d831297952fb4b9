import { Envelope } from '../collector/records/json.js';
import type { RecordEnvelope, RecordKind } from '../collector/records/types.js';

export interface BenchRecord {
  readonly kind: RecordKind;
  readonly symbol: string;
  readonly seq: number;
  readonly day: string;
  readonly json: string;
}

/**
 * Envelopes as the deriver hands them to the sinks: each a view of its JSONL line in shared
 * bytes (not built from a string), so the sink benches take the collector's own path. `lead`:
 * text before the first line, so that even the first view starts past offset 0 (tests).
 */
export function envelopesFromJsonl(records: readonly BenchRecord[], lead = ''): RecordEnvelope[] {
  const bytes = Buffer.from(lead + records.map((r) => `${r.json}\n`).join(''), 'utf8');
  const out: RecordEnvelope[] = [];
  let start = Buffer.byteLength(lead, 'utf8');
  for (const r of records) {
    const end = bytes.indexOf(10, start) + 1;
    out.push(new Envelope(r.kind, r.symbol, r.seq, r.day, null, bytes, start, end));
    start = end;
  }
  return out;
}
