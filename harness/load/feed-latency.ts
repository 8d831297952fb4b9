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
 * L2 lines are matched by content, in order: the simulator forwards them verbatim. L1 quotes are
 * re-projected into the client's field list, so they are matched by type and symbol only, in
 * order; that places them on the schedule well enough for the achieved rate, but a snapshot or a
 * reordering could pair one with the wrong tape line, and one early pairing would shift every
 * latency figure, so latency samples come from L2 lines alone. Journal lines the tape lacks
 * (handshake, replies, synthesized `T` and admin STATS) are skipped; tape lines not forwarded
 * likewise.
 */
export interface FeedLatency {
  /** Latency above the fastest line, µs, one per matched L2 line. */
  readonly samplesUs: Float64Array;
  readonly matched: number;
  /** L2 data lines in the tape. */
  readonly tapeL2: number;
  /**
   * Tape lines between the first and the last tape line found in the journal, on any channel,
   * and the time between their arrivals: the achieved rate, in the offered rate's unit (tape
   * lines a second, whether forwarded or not). Both 0 when fewer than two lines were placed.
   */
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

/**
 * What a line is matched on, or null for lines that cannot be placed on the schedule: `S` lines
 * (a greeting or a reply in the journal can equal a tape line sent before the replay started),
 * L1 lines other than quotes and timestamps (snapshots on a watch look like tape lines), and the
 * admin channel (never forwarded from the tape).
 */
function matchKey(channel: string, line: string): number | null {
  if (line.startsWith('S,')) return null;
  if (channel === 'L2') return hash(line);
  if (channel !== 'L1') return null;
  if (line.startsWith('T,')) return hash(line);
  if (!line.startsWith('Q,')) return null;
  const end = line.indexOf(',', 2);
  return hash(end < 0 ? line : line.slice(0, end));
}

/** One channel's matchable tape lines as (index since the start, key): 12 bytes a line. */
class ChannelLines {
  index = new Float64Array(1 << 12);
  keys = new Int32Array(1 << 12);
  n = 0;
  /** The next tape line a journal line may match: the simulator keeps each channel's order. */
  cursor = 0;

  add(i: number, key: number): void {
    if (this.n === this.index.length) {
      const bi = new Float64Array(this.n * 2);
      bi.set(this.index);
      this.index = bi;
      const bk = new Int32Array(this.n * 2);
      bk.set(this.keys);
      this.keys = bk;
    }
    this.index[this.n] = i;
    this.keys[this.n] = key;
    this.n++;
  }

  /** The tape index the journal line matches, advancing past it, or null when it is no tape line. */
  match(key: number): number | null {
    const end = Math.min(this.n, this.cursor + WINDOW);
    let q = this.cursor;
    while (q < end && this.keys[q] !== key) q++;
    if (q === end) return null;
    this.cursor = q + 1;
    return this.index[q]!;
  }
}

export async function measureFeedLatency(
  tapePath: string,
  sessionDir: string,
  rate: number,
): Promise<FeedLatency> {
  const channels = new Map<string, ChannelLines>([
    ['L1', new ChannelLines()],
    ['L2', new ChannelLines()],
  ]);
  let tapeL2 = 0;
  let i = 0;
  const tape = await openTape(tapePath);
  try {
    for await (const batch of tape.batches()) {
      for (const l of batch) {
        if (l.channel === 'L2') tapeL2++;
        const key = matchKey(l.channel, l.line);
        if (key !== null) channels.get(l.channel)?.add(i, key);
        i++;
      }
    }
  } finally {
    await tape.close();
  }

  const usPerLine = 1e6 / rate;
  const lateness = new Float64Array(tapeL2);
  let matched = 0;
  let placed = 0;
  let firstUs = 0;
  let firstIndex = 0;
  let lastUs = 0;
  let lastIndex = 0;
  for await (const items of readJournal(sessionDir)) {
    for (const item of items) {
      if (item.kind !== 'line') continue;
      const lines = channels.get(item.channel);
      if (lines === undefined) continue;
      const key = matchKey(item.channel, item.line);
      if (key === null) continue;
      const at = lines.match(key);
      if (at === null) continue;
      // The first and the last tape line the journal shows, whatever their channel: after the
      // tape the simulator's clock runs on (a T line a second until the harness stops the
      // collector), which is not throughput, and is no tape line.
      if (placed === 0) {
        firstUs = item.receivedUs;
        firstIndex = at;
      }
      placed++;
      if (at > lastIndex || placed === 1) {
        lastIndex = at;
        lastUs = item.receivedUs;
      }
      if (item.channel === 'L2') lateness[matched++] = item.receivedUs - at * usPerLine;
    }
  }
  const samples = lateness.subarray(0, matched);
  let min = Number.POSITIVE_INFINITY;
  for (let k = 0; k < matched; k++) if (samples[k]! < min) min = samples[k]!;
  for (let k = 0; k < matched; k++) samples[k] = samples[k]! - min;
  const measurable = placed > 1 && lastUs > firstUs && lastIndex > firstIndex;
  return {
    samplesUs: samples,
    matched,
    tapeL2,
    journaledLines: measurable ? lastIndex - firstIndex : 0,
    spanUs: measurable ? lastUs - firstUs : 0,
  };
}
