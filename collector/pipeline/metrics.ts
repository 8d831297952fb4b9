/**
 * The collector's Prometheus metrics (`/metrics` on the monitor). Counts are read from the
 * deriver, journal and runners when scraped (`collect`), so the hot path pays nothing for them;
 * only the latency histograms are observed as things happen.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { SinkStatus } from '../monitor/status.js';
import { CHANNELS } from '../protocol/channel.js';
import type { DeriverCounts } from '../records/deriver-stats.js';
import { RECORD_KINDS } from '../records/types.js';
import { PROM_LATENCY_BUCKETS } from './latency.js';

export interface MetricSources {
  counts(): DeriverCounts;
  sinks(): readonly SinkStatus[];
  journal(): { readonly bytes: number; readonly headSeq: number; readonly durableSeq: number };
}

export interface CollectorMetrics {
  readonly registry: Registry;
  readonly feedToJournal: Histogram;
  readonly feedWaitToJournal: Histogram;
  readonly journalToSink: Histogram<'sink'>;
}

export function createCollectorMetrics(sources: MetricSources): CollectorMetrics {
  const registry = new Registry();
  const registers = [registry];
  new Counter({
    name: 'l2h_collector_lines_total',
    help: 'Lines received and journaled, per channel (this session, restarts included)',
    labelNames: ['channel'],
    registers,
    collect() {
      const c = sources.counts();
      this.reset();
      for (const ch of CHANNELS) this.inc({ channel: ch }, c.lines[ch]);
    },
  });
  new Counter({
    name: 'l2h_collector_records_total',
    help: 'Records derived, per kind',
    labelNames: ['kind'],
    registers,
    collect() {
      const c = sources.counts();
      this.reset();
      for (const k of RECORD_KINDS) this.inc({ kind: k }, c.records[k]);
    },
  });
  const problems: readonly [string, string, (c: DeriverCounts) => number][] = [
    [
      'l2h_collector_malformed_total',
      'Lines the codec could not decode (journaled as received)',
      (c) => c.malformed,
    ],
    ['l2h_collector_not_found_total', 'n,<SYMBOL> lines (symbol not found)', (c) => c.notFound],
    ['l2h_collector_no_depth_total', 'q,<SYMBOL> lines (valid symbol, no depth now)', (c) => c.noDepth],
    ['l2h_collector_feed_errors_total', 'E,<text> lines from IQConnect', (c) => c.errors],
    [
      'l2h_collector_integrity_issues_total',
      'Book operations that raised an integrity flag',
      (c) => c.integrity,
    ],
  ];
  for (const [name, help, read] of problems) {
    new Counter({
      name,
      help,
      registers,
      collect() {
        this.reset();
        this.inc(read(sources.counts()));
      },
    });
  }
  new Gauge({
    name: 'l2h_collector_journal_bytes',
    help: 'Bytes the journal session takes on disk',
    registers,
    collect() {
      this.set(sources.journal().bytes);
    },
  });
  new Gauge({
    name: 'l2h_collector_journal_head_seq',
    help: 'Seq of the last journaled line',
    registers,
    collect() {
      this.set(sources.journal().headSeq);
    },
  });
  new Gauge({
    name: 'l2h_collector_journal_durable_seq',
    help: 'Seq up to which the journal is fdatasynced',
    registers,
    collect() {
      this.set(sources.journal().durableSeq);
    },
  });
  const perSink: readonly [string, string, (s: SinkStatus) => number][] = [
    [
      'l2h_collector_sink_lag',
      'Journal lines past what the sink holds (head seq minus its checkpoint or, idle and live, the live watermark)',
      (s) => s.lag,
    ],
    ['l2h_collector_sink_queue_depth', 'Records waiting in the sink queue', (s) => s.queueDepth],
    ['l2h_collector_sink_checkpoint_seq', 'The sink checkpoint', (s) => s.checkpointSeq],
    [
      'l2h_collector_sink_live',
      '1 when the sink is in live mode, 0 when catching up, retrying or closed',
      (s) => (s.mode === 'live' ? 1 : 0),
    ],
  ];
  for (const [name, help, read] of perSink) {
    new Gauge({
      name,
      help,
      labelNames: ['sink'],
      registers,
      collect() {
        this.reset();
        for (const s of sources.sinks()) this.set({ sink: s.name }, read(s));
      },
    });
  }
  new Counter({
    name: 'l2h_collector_sink_written_total',
    help: 'Records the sink acknowledged (this process)',
    labelNames: ['sink'],
    registers,
    collect() {
      this.reset();
      for (const s of sources.sinks()) this.inc({ sink: s.name }, s.written);
    },
  });
  new Counter({
    name: 'l2h_collector_sink_retries_total',
    help: 'Sink writes retried after a retriable error',
    labelNames: ['sink'],
    registers,
    collect() {
      this.reset();
      for (const s of sources.sinks()) this.inc({ sink: s.name }, s.retries);
    },
  });
  const feedToJournal = new Histogram({
    name: 'l2h_collector_feed_to_journal_seconds',
    help: 'From a socket read to the journal append of its lines',
    buckets: PROM_LATENCY_BUCKETS,
    registers,
  });
  const feedWaitToJournal = new Histogram({
    name: 'l2h_collector_feed_wait_to_journal_seconds',
    help: 'From when a socket read may have started waiting (paused sockets, earlier reads of the turn) to the journal append of its lines',
    buckets: PROM_LATENCY_BUCKETS,
    registers,
  });
  const journalToSink = new Histogram({
    name: 'l2h_collector_journal_to_sink_seconds',
    help: 'From a line journal append to its record being durable in the sink (sampled per batch)',
    labelNames: ['sink'],
    buckets: PROM_LATENCY_BUCKETS,
    registers,
  });
  return { registry, feedToJournal, feedWaitToJournal, journalToSink };
}
