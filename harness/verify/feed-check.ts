import { createHash, type Hash } from 'node:crypto';
import type { Channel } from '../../collector/protocol/channel.js';
import type { Check, Difference } from '../results/types.js';
import { readJournal } from './journal-reader.js';

/**
 * Zero loss on the wire: every line the simulator sent on a connection is in the collector's
 * journal, byte for byte and in order. The simulator reports per connection a SHA-256 of its
 * lines and a running digest every N lines; the journal is split into the same connections by its
 * connect events and digested the same way.
 */
export interface SentConnection {
  readonly id: number;
  readonly channel: Channel;
  readonly lines: number;
  readonly sha256Lines: string;
  readonly checkpointEvery: number;
  readonly checkpoints: readonly { readonly lines: number; readonly sha256: string }[];
}

interface JournalConnection {
  readonly channel: Channel;
  readonly index: number;
  readonly firstSeq: number;
  lines: number;
  readonly hash: Hash;
  readonly checkpoints: { lines: number; sha256: string }[];
}

export interface FeedCheckOptions {
  readonly journalDir: string;
  readonly sent: readonly SentConnection[];
  /**
   * Connections whose journal may legitimately stop short of what was sent: the collector was
   * killed while they were open (crash scenarios). Their journaled lines must still be a prefix.
   */
  readonly truncatedAllowed?: ReadonlySet<string>;
}

/**
 * How many lines a cut-short connection may have sent beyond what its journal holds, in the
 * simulator's checkpoint intervals.
 *
 * What a kill leaves in flight is what the simulator had queued (its own queue and the kernel's
 * send buffer), the collector's receive buffer, and the one read the collector had taken but not
 * yet journaled. In bytes that is bounded by the machine's socket buffer limits, which the
 * verifier does not know (Linux loopback autotuning allows MiBs), so no byte figure is both
 * safe and tight. The crash scenarios run paced with the collector keeping up (the simulator's
 * peak queue stays under a few KiB), and have lost 2–284 lines per killed connection with a
 * checkpoint every 500 (CUT_SHORT_SIMULATOR_ARGS): under one interval. Allowing several
 * intervals keeps those passing with a wide margin, while a journal holding nothing, or a
 * stub, of a long connection cannot pass as "a prefix": beyond this bound most of what was sent
 * was compared with nothing and is simply lost.
 */
export const CUT_SHORT_MAX_LOST_INTERVALS = 8;

export interface FeedCheckResult {
  readonly check: Check;
  readonly journalLines: number;
  readonly perChannel: Readonly<Record<Channel, { sent: number; journaled: number }>>;
}

export async function feedCheck(options: FeedCheckOptions): Promise<FeedCheckResult> {
  const every = new Map<Channel, number>();
  for (const s of options.sent) every.set(s.channel, s.checkpointEvery);
  const conns: JournalConnection[] = [];
  const current: Partial<Record<Channel, JournalConnection>> = {};
  const counts: Record<Channel, number> = { L1: 0, L2: 0, ADMIN: 0 };
  let journalLines = 0;
  const open = (channel: Channel, seq: number) => {
    const c: JournalConnection = {
      channel,
      index: counts[channel]++,
      firstSeq: seq,
      lines: 0,
      hash: createHash('sha256'),
      checkpoints: [],
    };
    conns.push(c);
    current[channel] = c;
    return c;
  };
  for await (const batch of readJournal(options.journalDir)) {
    for (const item of batch) {
      if (item.kind === 'event') {
        if (item.event === 'connect') open(item.channel, item.seq);
        continue;
      }
      journalLines = item.seq;
      const c = current[item.channel] ?? open(item.channel, item.seq);
      c.hash.update(item.line, 'latin1');
      c.hash.update('\n');
      c.lines++;
      const n = every.get(item.channel);
      if (n && c.lines % n === 0) c.checkpoints.push({ lines: c.lines, sha256: c.hash.copy().digest('hex') });
    }
  }
  const sentBy: Record<Channel, SentConnection[]> = { L1: [], L2: [], ADMIN: [] };
  for (const s of [...options.sent].sort((a, b) => a.id - b.id)) sentBy[s.channel].push(s);
  const journalBy: Record<Channel, JournalConnection[]> = { L1: [], L2: [], ADMIN: [] };
  for (const c of conns) journalBy[c.channel].push(c);

  const differences: Difference[] = [];
  let matched = 0;
  let mismatched = 0;
  let truncated = 0;
  let prefixVerified = 0;
  let prefixUnverified = 0;
  let lostAtCut = 0;
  let mostLostAtCut = 0;
  let overBound = 0;
  const cutShort: {
    connection: string;
    sent: number;
    journaled: number;
    verifiedUpTo: number;
    lost: number;
    maxLost: number;
  }[] = [];
  const perChannel = {
    L1: { sent: 0, journaled: 0 },
    L2: { sent: 0, journaled: 0 },
    ADMIN: { sent: 0, journaled: 0 },
  };
  for (const channel of ['L1', 'L2', 'ADMIN'] as const) {
    const sent = sentBy[channel];
    const got = journalBy[channel];
    for (let i = 0; i < Math.max(sent.length, got.length); i++) {
      const s = sent[i];
      const j = got[i];
      const name = `${channel}#${i + 1}`;
      perChannel[channel].sent += s?.lines ?? 0;
      perChannel[channel].journaled += j?.lines ?? 0;
      if (!s || !j) {
        mismatched++;
        differences.push({
          where: `connection ${name}`,
          expected: s ? `${s.lines} lines sent` : 'no connection accepted by the simulator',
          actual: j ? `${j.lines} lines journaled from seq ${j.firstSeq}` : 'no connection in the journal',
        });
        continue;
      }
      const digest = j.hash.copy().digest('hex');
      if (s.lines === j.lines && s.sha256Lines === digest) {
        matched++;
        continue;
      }
      // Localise the first difference with the running digests both sides keep.
      let okUpTo = 0;
      for (const cp of s.checkpoints) {
        const mine = j.checkpoints.find((x) => x.lines === cp.lines);
        if (!mine || mine.sha256 !== cp.sha256) break;
        okUpTo = cp.lines;
      }
      if (options.truncatedAllowed?.has(name) && j.lines < s.lines) {
        // A cut-short journal can only be compared where both sides took a running digest: every
        // checkpoint the journal reached must be one the simulator took, with the same digest. The
        // lines after the last of them have nothing to be compared with, and are counted as such.
        const prefix = j.checkpoints.every((x) =>
          s.checkpoints.some((y) => y.lines === x.lines && y.sha256 === x.sha256),
        );
        if (prefix) {
          const covered = j.checkpoints.at(-1)?.lines ?? 0;
          const lost = s.lines - j.lines;
          const maxLost = CUT_SHORT_MAX_LOST_INTERVALS * s.checkpointEvery;
          lostAtCut += lost;
          mostLostAtCut = Math.max(mostLostAtCut, lost);
          if (cutShort.length < 100)
            cutShort.push({
              connection: name,
              sent: s.lines,
              journaled: j.lines,
              verifiedUpTo: covered,
              lost,
              maxLost,
            });
          if (lost <= maxLost) {
            truncated++;
            prefixVerified += covered;
            prefixUnverified += j.lines - covered;
            continue;
          }
          overBound++;
          mismatched++;
          if (differences.length < 10)
            differences.push({
              where: `connection ${name} (journal seq ${j.firstSeq}…), cut short`,
              expected: `at most ${maxLost} of ${s.lines} sent lines lost at the cut (${CUT_SHORT_MAX_LOST_INTERVALS} checkpoint intervals of ${s.checkpointEvery})`,
              actual: `${j.lines} journaled, ${lost} lost${covered === 0 ? '; no checkpoint reached, nothing verified' : `; verified up to line ${covered}`}`,
            });
          continue;
        }
      }
      mismatched++;
      if (differences.length < 10) {
        differences.push({
          where: `connection ${name} (journal seq ${j.firstSeq}…), first difference after line ${okUpTo}`,
          expected: `${s.lines} lines, sha256 ${s.sha256Lines.slice(0, 16)}…`,
          actual: `${j.lines} lines, sha256 ${digest.slice(0, 16)}…`,
        });
      }
    }
  }
  const total = matched + mismatched + truncated;
  const allowed = [...(options.truncatedAllowed ?? [])].sort();
  const checkpointEvery = [...every.values()];
  const sentLines = perChannel.L1.sent + perChannel.L2.sent + perChannel.ADMIN.sent;
  const journaledLines = perChannel.L1.journaled + perChannel.L2.journaled + perChannel.ADMIN.journaled;
  const cutText =
    (truncated === 0
      ? ''
      : `, ${truncated} cut short by a crash: ${prefixVerified} journaled lines verified as a prefix at common checkpoints, ` +
        `${prefixUnverified} after the last common checkpoint not verified (checkpoint every ${checkpointEvery.length > 0 ? Math.max(...checkpointEvery) : '?'} lines)`) +
    (truncated + overBound === 0
      ? ''
      : `; ${lostAtCut} lines sent but not journaled on cut connections (at most ${mostLostAtCut} on one${overBound > 0 ? `; ${overBound} lost more than ${CUT_SHORT_MAX_LOST_INTERVALS} checkpoint intervals` : ''})`);
  // Connections with no line are legitimate (an ADMIN port, a reconnect cut at once); a run
  // whose simulator sent no line at all compared nothing.
  const nothing = sentLines === 0;
  return {
    journalLines,
    perChannel,
    check: {
      id: 'zero-loss.simulator-vs-journal',
      group: 'zero-loss',
      title: 'Every line the simulator sent is in the journal, byte for byte and in order',
      threshold:
        allowed.length === 0
          ? 'every connection: same line count and same SHA-256 of its lines'
          : `every connection: same line count and same SHA-256 of its lines; one a crash may cut short: fewer lines, equal at every checkpoint it reached, at most ${CUT_SHORT_MAX_LOST_INTERVALS} checkpoint intervals of lines lost`,
      measured: `${nothing ? 'nothing to compare: 0 lines sent; ' : ''}${matched} of ${total} connections identical${cutText}; sent ${sentLines} lines, journaled ${journaledLines}`,
      pass: mismatched === 0 && total > 0 && !nothing,
      evidence: {
        counts: {
          connections: total,
          identical: matched,
          differing: mismatched,
          truncatedByCrash: truncated,
          prefixLinesVerified: prefixVerified,
          prefixLinesUnverified: prefixUnverified,
          linesLostAtCut: lostAtCut,
          mostLinesLostAtCut: mostLostAtCut,
          cutOverBound: overBound,
          sentL1: perChannel.L1.sent,
          journaledL1: perChannel.L1.journaled,
          sentL2: perChannel.L2.sent,
          journaledL2: perChannel.L2.journaled,
          sentAdmin: perChannel.ADMIN.sent,
          journaledAdmin: perChannel.ADMIN.journaled,
        },
        differences,
        // What the run allowed, so that verifying the run again (`l2h verify`) allows the same.
        details: { truncatedAllowed: allowed, cutShort },
      },
    },
  };
}
