/**
 * The IQConnect simulator: replays a tape to real TCP clients on the Level 1, Level 2 and admin
 * ports, answering as IQConnect does. `startSimulator` indexes the tape, opens the ports and
 * returns a handle; the run ends when the tape is done (with `exitAtEnd`), on `stop()` (the CLI
 * calls it on SIGTERM/SIGINT) or on `S,L2H END` from the admin port, and reports what it sent.
 */
import { writeFile } from 'node:fs/promises';
import type { Channel } from '../collector/protocol/channel.js';
import { openTape } from '../collector/tape/reader.js';
import { errorMessage } from '../common/errors.js';
import { Hub } from './hub.js';
import { type ResolvedSimulatorOptions, resolveOptions, type SimulatorOptions } from './options.js';
import { ReplayEngine } from './replay/engine.js';
import { Pacer } from './replay/pacer.js';
import { type TapeIndex, TapeIndexer } from './replay/tape-index.js';
import { listen } from './server.js';
import { channelTotals, type SimulatorStats } from './stats.js';

export type { SimulatorEvent, SimulatorOptions, StartMode } from './options.js';
export type { OutgoingLine, SendPath, SendPathFactory, SendSink } from './send-path.js';
export { identitySendPath } from './send-path.js';
export type { ConnectionReport, SimulatorStats } from './stats.js';

export interface SimulatorHandle {
  readonly host: string;
  readonly ports: Readonly<Record<Channel, number>>;
  readonly index: TapeIndex;
  /** What has been sent so far (final once `finished` resolved). */
  stats(): SimulatorStats;
  /** Start the replay clock now, whatever the start mode. */
  startReplay(): void;
  /** Resolves when the tape is exhausted and every connection's queue has been flushed. */
  readonly tapeEnd: Promise<void>;
  /** Resolves with the final stats however the run ends. */
  readonly finished: Promise<SimulatorStats>;
  /** Why the run failed (a corrupt tape found mid-replay), null otherwise. */
  readonly error: unknown;
  /** End the run: stop the replay, flush and close every connection, report. Idempotent. */
  stop(reason?: string): Promise<SimulatorStats>;
}

export async function startSimulator(options: SimulatorOptions): Promise<SimulatorHandle> {
  const o = resolveOptions(options);
  const index = await indexTape(o);
  const reader = await openTape(o.tape, { batchSize: o.batchSize, readChunkBytes: o.readChunkBytes });
  const hub = new Hub(o, index);
  const pacer = new Pacer(o.pacing, index.firstOffsetUs);

  let failure: unknown = null;
  // Set once the ports are open; a failure before that is reported once they are.
  let stop: ((reason?: string) => Promise<SimulatorStats>) | null = null;
  let finalStats: SimulatorStats | null = null;
  let stopping: Promise<SimulatorStats> | null = null;
  let resolveTapeEnd: () => void = () => {};
  let resolveFinished: (s: SimulatorStats) => void = () => {};
  const tapeEnd = new Promise<void>((r) => {
    resolveTapeEnd = r;
  });
  const finished = new Promise<SimulatorStats>((r) => {
    resolveFinished = r;
  });
  const fail = (err: unknown): void => {
    if (failure !== null) return;
    failure = err;
    o.logger.error({ err: errorMessage(err) }, 'replay failed');
    void stop?.('error');
  };

  const engine = new ReplayEngine(
    reader.batches(),
    index,
    hub.router,
    pacer,
    hub.gate,
    {
      flushAll: () => hub.flushSlice(),
      onSecond: () => hub.onSecond(),
      onProgress: (linesReplayed, simUs) => o.onEvent({ event: 'progress', linesReplayed, simUs }),
      onTapeEnd: () => {
        hub.tapeEnded();
        hub.whenAllDrained(() => {
          const connections = hub.connectionReports();
          o.onEvent({
            event: 'tape-end',
            tapeLines: index.lines,
            linesReplayed: engine.linesReplayed,
            linesNotForwarded: hub.router.notForwarded,
            channels: channelTotals(connections),
          });
          resolveTapeEnd();
          if (o.exitAtEnd) void stop?.('tape-end');
        });
      },
      onError: (err) => fail(err),
    },
    {
      clock: o.clock,
      logger: o.logger,
      sliceLines: o.sliceLines,
      spinUs: o.spinUs,
      probe: o.probe,
      progressEvery: o.progressEvery,
    },
  );
  hub.engine = engine;
  hub.onFailure((err) => fail(err));

  let listeners: Awaited<ReturnType<typeof listen>>;
  try {
    listeners = await listen(o.host, o.ports, (channel, socket) => hub.accept(channel, socket));
  } catch (err) {
    engine.stop();
    await reader.close();
    throw err;
  }

  o.faults?.onRefuse((channel, ms) => listeners.refuse(channel, ms, o.clock));

  const stopRun = (reason = 'stop'): Promise<SimulatorStats> => {
    if (stopping) return stopping;
    stopping = (async () => {
      engine.stop();
      hub.flushAll();
      finalStats = withError(hub.stats(reason, pacer.describe()), failure);
      hub.closeAll();
      await Promise.all([listeners.close(), reader.close()]);
      o.onEvent({ event: 'stats', ...finalStats });
      if (o.statsFile) await writeStatsFile(o, finalStats);
      resolveFinished(finalStats);
      return finalStats;
    })();
    return stopping;
  };
  stop = stopRun;
  hub.onEndRun((reason) => void stopRun(reason));

  o.onEvent({ event: 'ready', host: o.host, ports: listeners.ports, pid: process.pid });
  o.logger.info(
    { host: o.host, ports: listeners.ports, tape: o.tape, lines: index.lines },
    'simulator ready',
  );
  if (failure !== null) void stopRun('error');
  else if (o.start === 'now') hub.startReplay();

  return {
    host: o.host,
    ports: listeners.ports,
    index,
    stats: () => finalStats ?? hub.stats(null, pacer.describe()),
    startReplay: () => hub.startReplay(),
    tapeEnd,
    finished,
    get error() {
      return failure;
    },
    stop: stopRun,
  };
}

async function indexTape(o: ResolvedSimulatorOptions): Promise<TapeIndex> {
  const reader = await openTape(o.tape, { batchSize: o.batchSize });
  try {
    const indexer = new TapeIndexer(reader.header, o.tape);
    for await (const batch of reader.batches()) indexer.add(batch);
    return indexer.finish();
  } finally {
    await reader.close();
  }
}

function withError(stats: SimulatorStats, failure: unknown): SimulatorStats {
  return failure === null ? stats : { ...stats, error: errorMessage(failure) };
}

async function writeStatsFile(o: ResolvedSimulatorOptions, stats: SimulatorStats): Promise<void> {
  try {
    await writeFile(o.statsFile!, `${JSON.stringify(stats, null, 2)}\n`);
  } catch (err) {
    o.logger.error({ err: errorMessage(err), file: o.statsFile }, 'cannot write the stats file');
  }
}
