export { fileSymbol, jsonlFileName, parseJsonlFileName, symbolFromFileName } from './jsonl/file-names.js';
export { JsonlSink, type JsonlSinkOptions, type JsonlSinkStats } from './jsonl/jsonl-sink.js';
export { RecordQueue } from './record-queue.js';
export {
  availableSinks,
  createSink,
  parseSinkList,
  SINK_FACTORIES,
  type SinkContext,
  type SinkFactory,
} from './registry.js';
export { isRetriable, type RetryPolicy, retryDelayMs, SINK_RETRY_POLICY } from './retry.js';
export { type JournalView, type SinkBatchInfo, SinkRunner, type SinkRunnerOptions } from './runner.js';
export { SINK_NAMES, type Sink, type SinkName } from './sink.js';
