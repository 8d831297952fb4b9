export { type CollectorHandle, type CollectorResult, startCollector } from './collector.js';
export { type GcChoice, gcChoiceFor, tuneGc } from './gc-tuning.js';
export { AppendTimes, LatencyHistogram, type LatencySummary } from './latency.js';
export { type CollectorMetrics, createCollectorMetrics } from './metrics.js';
export {
  COLLECTOR_DEFAULTS,
  type CollectorOptions,
  type JournalSettings,
  type MonitorEndpoint,
  type ResolvedCollectorOptions,
  type RunnerSettings,
  resolveCollectorOptions,
} from './options.js';
export { acquirePidFile, type PidFile } from './pid-file.js';
export { buildStatus, type CollectorRunStatus, type LatencyStatus } from './status.js';
