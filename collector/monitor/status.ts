import type { Channel } from '../protocol/channel.js';
import type { SinkName } from '../sinks/sink.js';

/**
 * What the collector says about itself: pushed over the monitor WebSocket every second, served
 * at `/api/status`, read by `l2h status`. Every number is a count or a measurement taken by the
 * collector; nothing here is derived for display.
 */
export interface CollectorStatus {
  readonly schema: 'l2h.status/1';
  readonly session: string;
  readonly pid: number;
  readonly startedAt: string; // ISO 8601 UTC
  readonly now: string; // ISO 8601 UTC
  readonly uptimeS: number;
  /** `ok` green; `degraded` (a sink behind its lag bound, a stale feed) amber; `down` red. */
  readonly state: 'ok' | 'degraded' | 'down';
  /** Why the badge is not green, one short sentence each. */
  readonly stateReasons: readonly string[];
  readonly ports: readonly PortStatus[];
  /** Lines per second per channel over the last second. */
  readonly rates: Readonly<Record<Channel, number>>;
  /** When `rates` was sampled (epoch ms, the `t` of its /api/history entry); null before the first. */
  readonly ratesAt: number | null;
  readonly totals: {
    readonly lines: Readonly<Record<Channel, number>>;
    readonly records: Readonly<Record<'l2' | 'l1' | 'ticks' | 'gaps', number>>;
    readonly malformed: number;
    readonly notFound: number;
    /** `q,<SYM>` lines: valid symbols with no depth now. */
    readonly noDepth: number;
    readonly errors: number;
    readonly integrity: number;
  };
  readonly journal: {
    readonly dir: string;
    readonly bytes: number;
    readonly segments: number;
    readonly headSeq: number;
    readonly durableSeq: number;
  };
  readonly sinks: readonly SinkStatus[];
  readonly symbols: readonly SymbolStatus[];
  readonly problems: {
    readonly notFound: readonly string[];
    /** Symbols IQConnect answered `q,` for: watched, yet no L2 book will come. */
    readonly noDepth: readonly string[];
    readonly errors: readonly ProblemExample[];
    readonly malformed: readonly ProblemExample[];
  };
}

export interface PortStatus {
  readonly channel: Channel;
  readonly host: string;
  readonly port: number;
  readonly connected: boolean;
  /** IQConnect's own link to DTN as it last reported it (`S,SERVER CONNECTED/DISCONNECTED`). */
  readonly serverConnected: boolean | null;
  readonly msSinceLastLine: number | null;
  readonly reconnects: number;
}

export interface SinkStatus {
  readonly name: SinkName;
  readonly mode: 'live' | 'catch-up' | 'retrying' | 'closed';
  readonly checkpointSeq: number;
  /**
   * Journal lines past what the sink holds: head seq − checkpoint seq, or − the live watermark
   * when the sink is live with nothing queued or in flight (lines that yield no record, such as
   * the feed's `T` heartbeats, are not lag once durable).
   */
  readonly lag: number;
  readonly queueDepth: number;
  readonly written: number;
  readonly retries: number;
  /** Times the queue overflowed, each sending the sink to catch up from the journal (0: always live). */
  readonly overflows: number;
  readonly lastError: string | null;
  /** True when the checkpoint has not moved for longer than the stuck bound while behind. */
  readonly stuck: boolean;
}

export interface LevelView {
  readonly price: number;
  readonly size: number;
}

export interface SymbolStatus {
  readonly symbol: string;
  readonly family: 'mbp' | 'mbo' | 'mm';
  readonly bids: readonly LevelView[]; // best first, at most 5
  readonly asks: readonly LevelView[];
  readonly lastTrade: {
    readonly price: number;
    readonly size: number | null;
    readonly timestamp: string;
  } | null;
  readonly messages: number;
  readonly gaps: number;
  readonly resyncs: number;
  readonly integrityIssues: number;
}

export interface ProblemExample {
  readonly seq: number;
  readonly channel: Channel;
  /** The line, cut to 200 characters. */
  readonly line: string;
  readonly message: string;
}

/** Per-second history for the page's charts, oldest first (the monitor keeps the last 10 minutes). */
export interface RateSample {
  readonly t: number; // epoch ms
  readonly rates: Readonly<Record<Channel, number>>;
}

export type StatusState = CollectorStatus['state'];

/**
 * The badge's state as the monitor judges it: the collector's own state, raised to `down` when a
 * feed port or IQConnect's server link is disconnected or a sink is stuck (collector/monitor/assess.ts).
 * `/health` and the page both use it, so a probe and an operator never disagree.
 */
export interface Assessment {
  readonly state: StatusState;
  readonly reasons: readonly string[];
}

/**
 * What the monitor WebSocket (`/ws`) sends, one JSON object per message: `history` once on
 * connect, then `status` right away and every second.
 */
export type MonitorMessage =
  | { readonly type: 'history'; readonly samples: readonly RateSample[] }
  | { readonly type: 'status'; readonly status: CollectorStatus; readonly assessment: Assessment };

/** The body of `/health`: 200 when `state` is ok or degraded, 503 when down. */
export interface HealthBody {
  readonly state: StatusState;
  readonly reasons: readonly string[];
  readonly session: string | null;
  readonly uptimeS: number | null;
  readonly now: string | null;
}
