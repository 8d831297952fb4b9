/**
 * The collector's status (collector/monitor/status.ts `CollectorStatus`), built from its live
 * counters on request: once a second for the monitor and the status file, plus per HTTP request.
 * Everything here reads counters the parts keep anyway; the only per-call work is the top five
 * levels of each watched symbol's book.
 */
import type { CollectorStatus, LevelView, PortStatus, SinkStatus, SymbolStatus } from '../monitor/status.js';
import type { Channel } from '../protocol/channel.js';
import type { DeriverCounts, DeriverProblems } from '../records/deriver-stats.js';
import type { SymbolState } from '../records/symbol-state.js';
import type { LatencySummary } from './latency.js';

export interface LatencyStatus {
  /** Socket read → journal append, per socket read. */
  readonly feedToJournal: LatencySummary;
  /**
   * Per socket read, from when its bytes may have started waiting for the collector (a pause of
   * the sockets, earlier reads of the same event-loop turn: feed/connection.ts `readTiming`) to
   * the journal append: what the feed → journal latency is as far as the collector adds to it.
   */
  readonly feedWaitToJournal: LatencySummary;
  /** Journal append → durable in the sink, per sink (sampled records of live batches). */
  readonly journalToSink: Readonly<Record<string, LatencySummary>>;
}

/** `CollectorStatus` plus what only the running collector measures. */
export interface CollectorRunStatus extends CollectorStatus {
  readonly latency: LatencyStatus;
  /** True once a stop began (sinks draining, files closing). */
  readonly stopping: boolean;
  /** True while the sockets are not read because the journal is behind (backpressure). */
  readonly feedPaused: boolean;
}

export interface StatusParts {
  readonly session: string;
  readonly startedAtMs: number;
  readonly nowMs: number;
  readonly ports: readonly PortStatus[];
  readonly rates: Readonly<Record<Channel, number>>;
  readonly ratesAt: number | null;
  readonly counts: DeriverCounts;
  readonly problems: DeriverProblems;
  readonly journal: CollectorStatus['journal'];
  readonly sinks: readonly SinkStatus[];
  readonly symbols: Iterable<SymbolState>;
  readonly latency: LatencyStatus;
  /** Conditions that make the collector useless (journal failed, deriver failed…). */
  readonly fatal: readonly string[];
  readonly stopping: boolean;
  readonly feedPaused: boolean;
}

const LADDER = 5;
/** Symbols listed beyond the watched ones are capped: a feed naming garbage symbols must not bloat the status. */
const MAX_SYMBOLS = 500;

function ladder(state: SymbolState, side: 'B' | 'A'): LevelView[] {
  const book = state.mainBook();
  const n = Math.min(LADDER, book.levelCount(side));
  const out: LevelView[] = [];
  for (let r = 0; r < n; r++) out.push({ price: book.priceAt(side, r), size: book.sizeAt(side, r) });
  return out;
}

function symbolStatus(s: SymbolState): SymbolStatus {
  return {
    symbol: s.symbol,
    family: s.family ?? s.mainBook().family,
    bids: ladder(s, 'B'),
    asks: ladder(s, 'A'),
    lastTrade:
      s.lastTradePrice === null
        ? null
        : { price: s.lastTradePrice, size: s.lastTradeSize, timestamp: s.lastTradeTimestamp ?? '' },
    messages: s.messages,
    gaps: s.gapsOpened,
    resyncs: s.resyncs,
    integrityIssues: s.integrityIssues,
  };
}

export function buildStatus(p: StatusParts): CollectorRunStatus {
  const reasons: string[] = [...p.fatal];
  let state: CollectorStatus['state'] = p.fatal.length > 0 ? 'down' : 'ok';
  if (p.feedPaused) {
    if (state === 'ok') state = 'degraded';
    reasons.push(
      `feed paused: the journal has ${p.journal.headSeq - p.journal.durableSeq} lines not yet on disk`,
    );
  }
  for (const s of p.sinks) {
    if (s.mode === 'closed' && !p.stopping) {
      state = 'down';
      reasons.push(`sink ${s.name} failed: ${s.lastError ?? 'closed'}`);
    } else if (s.mode === 'catch-up' || s.mode === 'retrying') {
      if (state === 'ok') state = 'degraded';
      reasons.push(
        s.mode === 'retrying'
          ? `sink ${s.name} retrying (${s.retries} retries; last error: ${s.lastError ?? 'none'})`
          : `sink ${s.name} catching up from the journal, ${s.lag} lines behind`,
      );
    }
  }
  const limited = p.problems.symbolLimit;
  if (limited.length > 0) {
    if (state === 'ok') state = 'degraded';
    reasons.push(
      `IQConnect refused ${limited.length} watch${limited.length > 1 ? 'es' : ''} (SYMBOL LIMIT REACHED): ${limited.slice(0, 20).join(', ')}`,
    );
  }
  const symbols: SymbolStatus[] = [];
  for (const s of p.symbols) {
    if (symbols.length >= MAX_SYMBOLS) break;
    symbols.push(symbolStatus(s));
  }
  const c = p.counts;
  return {
    schema: 'l2h.status/1',
    session: p.session,
    pid: process.pid,
    startedAt: new Date(p.startedAtMs).toISOString(),
    now: new Date(p.nowMs).toISOString(),
    uptimeS: Math.max(0, Math.round((p.nowMs - p.startedAtMs) / 1000)),
    state,
    stateReasons: reasons,
    ports: p.ports,
    rates: p.rates,
    ratesAt: p.ratesAt,
    totals: {
      lines: c.lines,
      records: c.records,
      malformed: c.malformed,
      notFound: c.notFound,
      noDepth: c.noDepth,
      errors: c.errors,
      integrity: c.integrity,
    },
    journal: p.journal,
    sinks: p.sinks,
    symbols,
    problems: {
      notFound: p.problems.notFound,
      noDepth: p.problems.noDepth,
      errors: p.problems.errors,
      malformed: p.problems.malformed,
    },
    latency: p.latency,
    stopping: p.stopping,
    feedPaused: p.feedPaused,
  };
}
