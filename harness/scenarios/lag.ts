/**
 * A sink's lag over a window of the run, from the metrics timeline (`metrics.jsonl`, one sample a
 * second taken from the collector's status): the lag when the window opened, its peak inside the
 * window, and when (if ever) it drained afterwards.
 */
import { readFile } from 'node:fs/promises';
import type { MetricsSample } from '../results/types.js';

export async function readMetrics(file: string): Promise<MetricsSample[]> {
  const text = await readFile(file, 'utf8').catch(() => '');
  const out: MetricsSample[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      out.push(JSON.parse(line) as MetricsSample);
    } catch {
      // A torn last line (the run was stopped mid-write) says nothing.
    }
  }
  return out;
}

export interface LagStory {
  readonly sink: string;
  /** Seconds since the run started (the timeline's own clock). */
  readonly fromS: number;
  readonly toS: number;
  readonly before: number;
  readonly peak: number;
  readonly peakAtS: number | null;
  /** First sample after the window and the peak with the lag back to (about) where it was; null: never. */
  readonly drainedAtS: number | null;
  readonly samples: number;
  /** Every sample's lag in [from − 2 s, end], for the report's evidence. */
  readonly series: readonly (readonly [number, number])[];
}

/**
 * `before` is the last sample at or before `fromS`; the peak is over [fromS, toS + 2]; drained
 * is the first sample after both `toS` and the peak whose lag is at most before + 10 % of the
 * peak's rise (at least 200 records). Whether the rise itself means anything is the caller's to
 * judge: lag moves by a batch or so all the time.
 */
export function lagStory(
  samples: readonly MetricsSample[],
  sink: string,
  fromS: number,
  toS: number,
): LagStory {
  const lagOf = (s: MetricsSample): number | undefined => s.lag[sink];
  let before = 0;
  let peak = 0;
  let peakAtS: number | null = null;
  const series: [number, number][] = [];
  for (const s of samples) {
    const lag = lagOf(s);
    if (lag === undefined) continue;
    if (s.t <= fromS) before = lag;
    if (s.t >= fromS - 2) series.push([s.t, lag]);
    if (s.t >= fromS && s.t <= toS + 2 && lag > peak) {
      peak = lag;
      peakAtS = s.t;
    }
  }
  const threshold = before + Math.max(200, (peak - before) * 0.1);
  // A dip before the peak (lag sampled between two batches) is not the drain.
  const after = Math.max(toS, peakAtS ?? toS);
  const drained = samples.find((s) => s.t > after && (lagOf(s) ?? Number.POSITIVE_INFINITY) <= threshold);
  return {
    sink,
    fromS,
    toS,
    before,
    peak,
    peakAtS,
    drainedAtS: drained?.t ?? null,
    samples: series.length,
    series,
  };
}
