/**
 * The latest gap the collector recorded, for `l2h status`: the newest gap marker among the JSONL
 * gap files (`<SYMBOL>_gaps_<YYYYMMDD>.jsonl`, the last line of each), newest by its end time.
 * The collector's status has per-symbol gap counts but not the gap itself.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { lastLines } from './log-follow.js';

export interface GapView {
  readonly symbol: string;
  readonly channel: string;
  readonly timestamp: string;
  readonly gapEnd: string;
  readonly durationUs: number;
  readonly reason: string;
  readonly seq: number;
  readonly file: string;
}

const GAP_FILE = /_gaps_\d{8}\.jsonl$/;

export async function latestGap(dataDir: string): Promise<GapView | null> {
  let names: string[];
  try {
    names = (await readdir(dataDir)).filter((n) => GAP_FILE.test(n));
  } catch {
    return null;
  }
  let best: GapView | null = null;
  for (const name of names) {
    const [line] = await lastLines(join(dataDir, name), 1);
    if (line === undefined) continue;
    let v: Record<string, unknown>;
    try {
      v = JSON.parse(line) as Record<string, unknown>;
    } catch {
      continue;
    }
    const gap: GapView = {
      symbol: String(v['symbol'] ?? '?'),
      channel: String(v['channel'] ?? '?'),
      timestamp: String(v['timestamp'] ?? ''),
      gapEnd: String(v['gap_end'] ?? ''),
      durationUs: Number(v['duration_us'] ?? 0),
      reason: String(v['reason'] ?? '?'),
      seq: Number(v['seq'] ?? 0),
      file: name,
    };
    // Timestamps are fixed-width ISO text (US Eastern): they sort as strings.
    if (best === null || gap.gapEnd > best.gapEnd || (gap.gapEnd === best.gapEnd && gap.seq > best.seq))
      best = gap;
  }
  return best;
}
