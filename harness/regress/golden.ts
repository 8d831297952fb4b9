import { createHash } from 'node:crypto';
import type { RecordKind } from '../../collector/records/types.js';
import { canonicalRecord } from '../verify/canonical.js';
import { jsonlSource } from '../verify/sinks/jsonl-source.js';

/**
 * Golden results of a fixture: per kind and symbol, how many records and a digest of their
 * content in order, leaving out what differs between two correct runs: the session id, the seq
 * (journal positions interleave three connections by arrival), and gap markers (their times are
 * receive times). A running digest every CHUNK records locates the first change.
 */
export interface GoldenStream {
  readonly count: number;
  readonly sha256: string;
  readonly chunks: readonly string[];
}

export interface Golden {
  readonly schema: 'l2h.golden/1';
  readonly fixture: string;
  readonly tapeSha256: string;
  readonly streams: Readonly<Record<string, GoldenStream>>;
}

export const CHUNK = 1000;

const KINDS: readonly RecordKind[] = ['l2', 'l1', 'ticks'];

/** Digest the JSONL records of a run's data directory. */
export async function digestRun(dataDir: string): Promise<Record<string, GoldenStream>> {
  const collected = new Map<string, { seq: number; text: string }[]>();
  for await (const batch of jsonlSource(dataDir).batches()) {
    for (const r of batch) {
      if (!KINDS.includes(r.kind) || r.record === null) continue;
      const { session: _s, seq, ...rest } = r.record as Record<string, unknown>;
      const key = `${r.kind}/${String(rest['symbol'])}`;
      let list = collected.get(key);
      if (!list) {
        list = [];
        collected.set(key, list);
      }
      // session and seq written as null (not absent), as the committed goldens were digested; any
      // other field a record lacks stays absent, so a dropped field changes the digest.
      list.push({ seq: Number(seq), text: canonicalRecord(r.kind, { ...rest, session: null, seq: null }) });
    }
  }
  const out: Record<string, GoldenStream> = {};
  for (const key of [...collected.keys()].sort()) {
    const list = collected.get(key)!.sort((a, b) => a.seq - b.seq);
    const hash = createHash('sha256');
    const chunks: string[] = [];
    list.forEach((r, i) => {
      hash.update(r.text);
      hash.update('\n');
      if ((i + 1) % CHUNK === 0) chunks.push(hash.copy().digest('hex').slice(0, 16));
    });
    out[key] = { count: list.length, sha256: hash.digest('hex'), chunks };
  }
  return out;
}

export interface GoldenChange {
  readonly stream: string;
  readonly what: string;
}

/** What differs between a golden and a new run, stream by stream, in words. */
export function compareGolden(before: Golden['streams'], after: Golden['streams']): GoldenChange[] {
  const changes: GoldenChange[] = [];
  for (const stream of [...new Set([...Object.keys(before), ...Object.keys(after)])].sort()) {
    const b = before[stream];
    const a = after[stream];
    if (!b) {
      changes.push({ stream, what: `new: ${a!.count} records` });
      continue;
    }
    if (!a) {
      changes.push({ stream, what: `gone: had ${b.count} records` });
      continue;
    }
    if (a.sha256 === b.sha256 && a.count === b.count) continue;
    let firstChunk = 0;
    while (
      firstChunk < Math.min(a.chunks.length, b.chunks.length) &&
      a.chunks[firstChunk] === b.chunks[firstChunk]
    )
      firstChunk++;
    const from = firstChunk * CHUNK + 1;
    changes.push({
      stream,
      what: `${b.count} → ${a.count} records; content differs from record ${from} (records 1–${from - 1} unchanged)`,
    });
  }
  return changes;
}
