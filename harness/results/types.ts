/**
 * What a run's verification produced (`DIR/results.json`). Reports render only this: every line
 * of a report comes from a check that measured it.
 */
export type CheckGroup =
  | 'zero-loss'
  | 'books'
  | 'consistency'
  | 'redis'
  | 'integrity'
  | 'scenario'
  | 'load'
  | 'selftest';

export interface Check {
  /** Stable id, e.g. `zero-loss.journal-vs-simulator`, `books.reference`, `consistency.jsonl-kafka`. */
  readonly id: string;
  readonly group: CheckGroup;
  readonly title: string;
  /** What must hold, in words a reviewer can read: "lost = 0", "p99 ≤ 5 ms". */
  readonly threshold: string;
  /** What was measured, as printed (with its unit). */
  readonly measured: string;
  readonly pass: boolean;
  readonly evidence: Evidence;
}

export interface Difference {
  readonly where: string; // e.g. "seq 1234 AAPL l2" or "connection L2#1 line 88"
  readonly expected: string | null;
  readonly actual: string | null;
}

export interface BookSideView {
  readonly price: number;
  readonly size: number;
}

/** Two books side by side at the first mismatch. */
export interface BookDiff {
  readonly symbol: string;
  readonly seq: number;
  readonly line: string; // the journal line at that seq
  readonly expected: { readonly bids: readonly BookSideView[]; readonly asks: readonly BookSideView[] };
  readonly actual: { readonly bids: readonly BookSideView[]; readonly asks: readonly BookSideView[] };
}

export interface Evidence {
  /** Counts that the measured value was computed from, by name. */
  readonly counts?: Readonly<Record<string, number>>;
  /** Digests per sink/symbol/kind, e.g. { "jsonl/AAPL/l2": "sha256:…" }. */
  readonly digests?: Readonly<Record<string, string>>;
  /** The first few differences found (at most 10). */
  readonly differences?: readonly Difference[];
  readonly bookDiff?: BookDiff;
  /** Files in the run directory with more detail, relative to it. */
  readonly files?: readonly string[];
  /** Free-form numbers or tables a check wants shown (small). */
  readonly details?: Readonly<Record<string, unknown>>;
}

export interface TapeIdentity {
  readonly path: string;
  readonly sha256: string;
  readonly lines: number;
  readonly headers: Readonly<Record<string, string>>;
}

export interface RunIdentity {
  readonly id: string;
  readonly command: string;
  readonly startedAt: string; // ISO 8601 UTC
  readonly durationMs: number;
  readonly tape: TapeIdentity | null;
  readonly scenario: string | null;
  readonly seed: number | null;
  readonly config: Readonly<Record<string, unknown>>;
  readonly versions: Readonly<Record<string, string>>; // l2-harness, node, clickhouse, kafka backend…
  readonly machine: Readonly<Record<string, string | number>>; // cpus, memory, os, hostname
  readonly services: Readonly<Record<string, string>>; // e.g. { clickhouse: "local 18.16.1" }
}

/** One sample of the run's metrics timeline (`DIR/metrics.jsonl`, one per second). */
export interface MetricsSample {
  readonly t: number; // seconds since the run started
  readonly rates: Readonly<Record<string, number>>; // msgs/s per stage: "feed.L1", "journal", "sink.jsonl"…
  readonly lag: Readonly<Record<string, number>>; // per sink: journal seq − checkpoint seq
  readonly queues: Readonly<Record<string, number>>;
  readonly rssMb: Readonly<Record<string, number>>; // per process
}

export interface LatencySummary {
  readonly name: string; // "feed→journal", "journal→jsonl"…
  readonly count: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly p999Ms: number;
  readonly maxMs: number;
  /** Histogram: upper bounds in ms and counts. */
  readonly buckets: readonly { readonly leMs: number; readonly count: number }[];
}

export interface LoadStep {
  readonly offeredRate: number;
  readonly achievedRate: number;
  readonly lost: number;
  readonly duplicated: number;
  readonly latency: readonly LatencySummary[];
  readonly pass: boolean;
  readonly reason: string | null;
}

export interface RunResults {
  readonly schema: 'l2h.results/1';
  readonly verdict: 'pass' | 'fail';
  readonly run: RunIdentity;
  readonly checks: readonly Check[];
  readonly latency: readonly LatencySummary[];
  /** Messages per type the simulator sent, e.g. { "L2/8": 123 }. */
  readonly messageMix: Readonly<Record<string, number>>;
  readonly load: readonly LoadStep[] | null;
  /** The metrics timeline file, relative to the run directory. */
  readonly metricsFile: string | null;
}
