import { openTape } from '../../collector/tape/reader.js';
import { readJournal } from '../verify/journal-reader.js';

/**
 * Feed → journal latency measured from outside the collector: for every L2 data line, the time
 * the collector journaled it (its receive time, kept in the journal) minus the time the
 * simulator was due to send it. At `--rate R` the simulator sends tape line i (counting every
 * line from the start) at start + i/R, so lateness against that schedule includes everything
 * between the schedule and the journal: the simulator's own delay, the socket buffers and the
 * collector's event loop falling behind. That is the number a load test is after; the
 * collector's own histogram starts at its socket read and cannot see the queue in front of it.
 *
 * The schedule's start is not shared between the two processes, so it is estimated as the one
 * that makes the fastest line's latency zero: every figure is "above the fastest line", which
 * understates the truth by the loopback floor (tens of µs).
 *
 * L2 lines are matched by content, in order: the simulator forwards them verbatim (L1 lines are
 * re-projected into the client's field list, so they cannot be matched the same way). Journal
 * lines the tape lacks (handshake, replies) are skipped; tape lines not forwarded likewise.
 */
export interface FeedLatency {
  /** Latency above the fastest line, µs, one per matched L2 line. */
  readonly samplesUs: Float64Array;
  readonly matched: number;
  /** L2 data lines in the tape. */
  readonly tapeL2: number;
  /** Journal L1/L2 lines after the first matched one, and the time they took: the achieved rate. */
  readonly journaledLines: number;
  readonly spanUs: number;
}

/** FNV-1a over the latin1 text: lines are compared by hash inside a short window. */
function hash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h | 0;
}

/** How far ahead in the tape a journal line is looked for before it is called extra. */
const WINDOW = 256;

export async function measureFeedLatency(
  tapePath: string,
  sessionDir: string,
  rate: number,
): Promise<FeedLatency> {
  // The tape's L2 lines as (index since the start, hash): 12 bytes a line, not the text.
  let index = new Float64Array(1 << 16);
  let hashes = new Int32Array(1 << 16);
  let n = 0;
  let i = 0;
  const tape = await openTape(tapePath);
  try {
    for await (const batch of tape.batches()) {
      for (const l of batch) {
        if (l.channel === 'L2') {
          if (n === index.length) {
            const bi = new Float64Array(n * 2);
            bi.set(index);
            index = bi;
            const bh = new Int32Array(n * 2);
            bh.set(hashes);
            hashes = bh;
          }
          index[n] = i;
          hashes[n] = hash(l.line);
          n++;
        }
        i++;
      }
    }
  } finally {
    await tape.close();
  }

  const usPerLine = 1e6 / rate;
  const lateness = new Float64Array(n);
  let matched = 0;
  let p = 0;
  let firstUs = Number.NaN;
  let lastUs = Number.NaN;
  // Lines from the first tape line to the last one only: after the tape the simulator's clock
  // runs on (a T line a second until the harness stops the collector), which is not throughput.
  let afterFirst = 0;
  let seen = 0;
  for await (const items of readJournal(sessionDir)) {
    for (const item of items) {
      if (item.kind !== 'line' || item.channel === 'ADMIN') continue;
      if (matched > 0) seen++;
      if (item.channel !== 'L2' || p >= n) continue;
      const h = hash(item.line);
      const end = Math.min(n, p + WINDOW);
      let q = p;
      while (q < end && hashes[q] !== h) q++;
      if (q === end) continue; // not a tape line: a greeting or a reply
      if (matched === 0) firstUs = item.receivedUs;
      else {
        afterFirst = seen;
        lastUs = item.receivedUs;
      }
      lateness[matched++] = item.receivedUs - index[q]! * usPerLine;
      p = q + 1;
    }
  }
  const samples = lateness.subarray(0, matched);
  let min = Number.POSITIVE_INFINITY;
  for (let k = 0; k < matched; k++) if (samples[k]! < min) min = samples[k]!;
  for (let k = 0; k < matched; k++) samples[k] = samples[k]! - min;
  return {
    samplesUs: samples,
    matched,
    tapeL2: n,
    journaledLines: afterFirst,
    spanUs: matched > 0 && afterFirst > 0 ? lastUs - firstUs : 0,
  };
}
