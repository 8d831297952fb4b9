/**
 * The collector: IQConnect sockets → journal → decode → books → records → sinks
 * (ARCHITECTURE.md). `startCollector` runs it; the parts are exported for the harness and tools.
 */
export * from './pipeline/index.js';
export {
  Deriver,
  type DeriverOptions,
  deriveJournal,
  deriverOptionsFromJournal,
  type RecordEnvelope,
  type RecordKind,
} from './records/index.js';
export {
  availableSinks,
  JsonlSink,
  parseSinkList,
  type Sink,
  type SinkName,
  SinkRunner,
} from './sinks/index.js';
