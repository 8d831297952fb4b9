/**
 * Pieces every scenario uses: the tape's shape (lines per channel, simulated span), the end of
 * a faulted run (stop the simulator, then wait until the collector has journaled everything it
 * received), reading the simulator's final stats and fault report, naming connections the way
 * the feed check does, and building a scenario check.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Channel } from '../../collector/protocol/channel.js';
import { openTape } from '../../collector/tape/reader.js';
import { L2hError } from '../../common/errors.js';
import type { FaultReport } from '../../simulator/faults/injector.js';
import type { ConnectionReport, ReplayReport } from '../../simulator/stats.js';
import type { Check, Evidence, RunResults } from '../results/types.js';
import type { RunPaths } from '../run-dir.js';
import type { ReplayControl, SentPerChannel } from './hooks.js';

export interface TapeShape {
  readonly lines: number;
  readonly perChannel: Readonly<Record<Channel, number>>;
  /** Simulated µs from the first to the last body line. */
  readonly spanUs: number;
  readonly symbols: readonly string[];
}

export async function tapeShape(path: string): Promise<TapeShape> {
  const reader = await openTape(path, { batchSize: 8192 });
  const perChannel: Record<Channel, number> = { L1: 0, L2: 0, ADMIN: 0 };
  let first = -1;
  let last = 0;
  let lines = 0;
  try {
    for await (const batch of reader.batches()) {
      for (const l of batch) {
        if (first < 0) first = l.offsetUs;
        last = l.offsetUs;
        perChannel[l.channel]++;
        lines++;
      }
    }
  } finally {
    await reader.close();
  }
  const symbolsHeader = reader.header.get('symbols') ?? '';
  return {
    lines,
    perChannel,
    spanUs: Math.max(0, last - Math.max(0, first)),
    symbols: symbolsHeader.split(/[,\s]+/).filter(Boolean),
  };
}

/** Replay pacing that plays the tape's simulated span in about `seconds` of wall time. */
export function speedFor(shape: TapeShape, seconds: number): number {
  const factor = shape.spanUs / 1e6 / seconds;
  return Math.max(1, Math.round(factor));
}

export interface SimStatsFile {
  readonly connections: readonly ConnectionReport[];
  readonly faults?: FaultReport;
  readonly replay?: Partial<ReplayReport>;
}

export async function readSimStats(paths: RunPaths): Promise<SimStatsFile> {
  try {
    return JSON.parse(await readFile(paths.simulatorStats, 'utf8')) as SimStatsFile;
  } catch (err) {
    throw new L2hError('the simulator stats are missing or unreadable', {
      code: 'BAD_INPUT',
      cause: err,
      context: { file: paths.simulatorStats },
    });
  }
}

/** `L2#3` for a simulator connection id: its place among the channel's connections (by id). */
export function connectionNames(
  connections: readonly ConnectionReport[],
): Map<number, { name: string; index: number }> {
  const out = new Map<number, { name: string; index: number }>();
  const n: Record<Channel, number> = { L1: 0, L2: 0, ADMIN: 0 };
  for (const c of [...connections].sort((a, b) => a.id - b.id)) {
    const index = n[c.channel]++;
    out.set(c.id, { name: `${c.channel}#${index + 1}`, index });
  }
  return out;
}

/** Poll `probe` until it returns a value, failing with `what` after `deadlineMs`. */
export async function pollFor<T>(
  what: string,
  deadlineMs: number,
  probe: () => Promise<T | null>,
  everyMs = 100,
): Promise<T> {
  const until = Date.now() + deadlineMs;
  for (;;) {
    const v = await probe();
    if (v !== null) return v;
    if (Date.now() > until) throw new L2hError(`timed out waiting for ${what}`, { code: 'TIMEOUT' });
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/**
 * After the tape: stop the simulator (it flushes, closes every connection with FIN and writes its
 * final stats), then wait until the collector reports every feed port closed and its journal
 * durable to its head: by then every byte it received is journaled. Used where faults or crashes
 * lose lines on purpose, so "journaled ≥ sent" cannot be the condition.
 */
export async function stopSimulatorThenSettle(control: ReplayControl, deadlineMs = 120_000): Promise<void> {
  await control.simulator.stop(20_000);
  const startedAt = Date.now();
  await pollFor(
    'the collector to journal what it received after the simulator stopped',
    deadlineMs,
    async () => {
      const st = await control.readStatus();
      if (!st) return null;
      // A status written before the simulator stopped says nothing about the end.
      if (Date.parse(st.now) < startedAt) return null;
      const closed = st.ports.every((p) => !p.connected);
      return closed && st.journal.durableSeq >= st.journal.headSeq ? st : null;
    },
  );
}

export function scenarioCheck(
  id: string,
  title: string,
  threshold: string,
  measured: string,
  pass: boolean,
  evidence: Evidence,
): Check {
  return { id: `scenario.${id}`, group: 'scenario', title, threshold, measured, pass, evidence };
}

/** Connections a fault reset: what the kernel held for the peer was lost with them. */
export function resetConnectionNames(stats: SimStatsFile): Set<string> {
  const names = connectionNames(stats.connections);
  const out = new Set<string>();
  for (const id of stats.faults?.resetConnections ?? []) {
    const n = names.get(id);
    if (n) out.add(n.name);
  }
  return out;
}

export interface GapRecordView {
  readonly symbol: string;
  readonly channel: string;
  readonly seq: number;
  readonly reason: string;
}

/** Every gap record in the run's JSONL files (`<SYMBOL>_gaps_<YYYYMMDD>.jsonl`). */
export async function readGapRecords(dataDir: string): Promise<GapRecordView[]> {
  const names = await readdir(dataDir).catch(() => [] as string[]);
  const out: GapRecordView[] = [];
  for (const name of names) {
    if (!/_gaps_\d{8}\.jsonl$/.test(name)) continue;
    const text = await readFile(join(dataDir, name), 'utf8');
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      try {
        const r = JSON.parse(line) as Record<string, unknown>;
        out.push({
          symbol: String(r['symbol']),
          channel: String(r['channel']),
          seq: Number(r['seq']),
          reason: String(r['reason']),
        });
      } catch {
        // An unparseable line is the sink check's business (it counts them); skip it here.
      }
    }
  }
  return out;
}

/** Set an environment variable for the children started inside `fn`, then restore it. */
export async function withEnv<T>(name: string, value: string | null, fn: () => Promise<T>): Promise<T> {
  if (value === null) return fn();
  const before = process.env[name];
  process.env[name] = value;
  try {
    return await fn();
  } finally {
    if (before === undefined) delete process.env[name];
    else process.env[name] = before;
  }
}

/**
 * Every connection but the last of each channel: where each connection ended in a collector
 * kill, its journal may stop short of what the simulator sent (what the dead process had not
 * read or journaled).
 */
/**
 * Simulator arguments for a scenario whose connections a crash or a reset may cut short: a
 * running digest every this many lines lets the verification compare such a connection up to
 * its last checkpoint (it reports the lines after it as not verified).
 */
export const CUT_SHORT_SIMULATOR_ARGS: readonly string[] = ['--checkpoint-every', '500'];

export function allButLastConnections(stats: SimStatsFile): Set<string> {
  const perChannel = new Map<string, number>();
  for (const conn of stats.connections) perChannel.set(conn.channel, (perChannel.get(conn.channel) ?? 0) + 1);
  const out = new Set<string>();
  for (const [ch, n] of perChannel) for (let i = 1; i < n; i++) out.add(`${ch}#${i}`);
  return out;
}

/**
 * After the tape, for runs that killed the collector mid-feed (what was in flight to it is lost,
 * so "journaled ≥ sent" may never hold): stop the simulator and let the collector settle, then
 * wait until every sink has caught up with the journal.
 */
export async function settledThenDrained(control: ReplayControl, deadlineMs = 180_000): Promise<void> {
  await stopSimulatorThenSettle(control, deadlineMs);
  await pollFor('every sink to catch up with the journal', deadlineMs, async () => {
    const st = await control.readStatus();
    return st && st.sinks.length > 0 && st.sinks.every((s) => s.lag === 0) ? st : null;
  });
}

/**
 * After the tape, for runs that lose no line on purpose: the collector has journaled every line
 * sent, then every sink has caught up (lag 0), while the metrics timeline keeps sampling, so
 * the timeline shows the lag draining.
 */
export async function journaledThenDrained(
  control: ReplayControl,
  sent: SentPerChannel,
  deadlineMs = 180_000,
): Promise<void> {
  await pollFor('the collector to journal every line sent', deadlineMs, async () => {
    const st = await control.readStatus();
    if (!st) return null;
    return st.totals.lines.L1 >= (sent['L1']?.lines ?? 0) && st.totals.lines.L2 >= (sent['L2']?.lines ?? 0)
      ? st
      : null;
  });
  await pollFor('every sink to catch up with the journal', deadlineMs, async () => {
    const st = await control.readStatus();
    return st && st.sinks.length > 0 && st.sinks.every((s) => s.lag === 0) ? st : null;
  });
}

/** Where `truncationAllowedOf` found the connections a run allowed to be cut short. */
export type TruncationSource = 'recorded' | 'scenario' | 'none';

/**
 * The connections a finished run allowed to be cut short, for verifying it again (`l2h verify`):
 * what its feed check recorded, or, for a run written before that was recorded, what its
 * scenario allows (recomputed from the simulator's stats as the scenario does). A sink-outage
 * run allows it only under sabotage, which a results file of that age does not say: none.
 */
export function truncationAllowedOf(
  results: RunResults,
  stats: SimStatsFile,
): { readonly names: ReadonlySet<string>; readonly source: TruncationSource } {
  const feed = results.checks.find((c) => c.id === 'zero-loss.simulator-vs-journal');
  const recorded = feed?.evidence.details?.['truncatedAllowed'];
  if (Array.isArray(recorded) && recorded.every((n) => typeof n === 'string'))
    return { names: new Set(recorded), source: 'recorded' };
  switch (results.run.scenario) {
    case 'crash-restart':
      return { names: allButLastConnections(stats), source: 'scenario' };
    case 'disconnect-storm':
      return { names: resetConnectionNames(stats), source: 'scenario' };
    default:
      return { names: new Set(), source: 'none' };
  }
}
