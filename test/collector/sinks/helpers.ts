import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'vitest';
import { Journal, type JournalOptions } from '../../../collector/journal/journal.js';
import { Deriver, type DeriverOptions } from '../../../collector/records/deriver.js';
import { deriverHeaderEntries } from '../../../collector/records/journal-headers.js';
import { deriveJournal } from '../../../collector/records/rederive.js';
import type { RecordEnvelope } from '../../../collector/records/types.js';
import { JsonlSink } from '../../../collector/sinks/jsonl/jsonl-sink.js';
import { SinkRunner, type SinkRunnerOptions } from '../../../collector/sinks/runner.js';
import type { Sink } from '../../../collector/sinks/sink.js';
import { systemClock } from '../../../common/clock.js';
import { L2hError } from '../../../common/errors.js';
import { type GeneratedLine, generateInMemory } from '../../../fixtures/generate/generate.js';

/**
 * The real JSONL sink with a hand on its writes: a test can hold them (a stalled disk), or make the
 * next ones fail (a disk that recovers, or a bug). Everything that is written goes to real files.
 */
export class GatedSink implements Sink {
  readonly name = 'jsonl' as const;
  private holding = false;
  private held: (() => void)[] = [];
  failures: { count: number; retriable: boolean } = { count: 0, retriable: true };
  writes = 0;
  inFlight = 0;
  /** Called with every batch as it reaches the sink, before anything else happens to it. */
  onWrite: ((batch: readonly RecordEnvelope[]) => void) | null = null;

  constructor(readonly inner: JsonlSink) {}

  hold(): void {
    this.holding = true;
  }

  release(): void {
    this.holding = false;
    for (const go of this.held.splice(0)) go();
  }

  open(): Promise<void> {
    return this.inner.open();
  }

  async write(batch: readonly RecordEnvelope[]): Promise<void> {
    this.inFlight++;
    this.onWrite?.(batch);
    try {
      if (this.holding) await new Promise<void>((resolve) => this.held.push(resolve));
      if (this.failures.count > 0) {
        this.failures.count--;
        throw new L2hError('disk says no', {
          code: this.failures.retriable ? 'IO' : 'INTERNAL',
          retriable: this.failures.retriable,
        });
      }
      this.writes++;
      await this.inner.write(batch);
    } finally {
      this.inFlight--;
    }
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

/** A generated day with its headers as deriver options. */
export function day(
  seed: number,
  lines: number,
): { lines: GeneratedLine[]; startUs: number; options: Omit<DeriverOptions, 'session'> } {
  const g = generateInMemory({ seed, lines, symbols: 'AAPL,MSFT=mbo,IBM=mm' });
  const startUs = Number(g.headers.find(([k]) => k === 'start-us')![1]);
  return {
    lines: g.lines,
    startUs,
    options: {
      symbols: ['AAPL', 'MSFT', 'IBM'],
      families: { AAPL: 'mbp', MSFT: 'mbo', IBM: 'mm' },
      depth: 10,
    },
  };
}

/**
 * The collector's in-line path without sockets: journal append, live deriver, fan-out to one
 * runner. The same order of operations as collector/pipeline/collector.ts.
 */
export class MiniCollector {
  private readonly out: RecordEnvelope[] = [];
  private constructor(
    readonly journal: Journal,
    readonly deriver: Deriver,
    readonly runner: SinkRunner,
    readonly sink: GatedSink,
    readonly dataDir: string,
  ) {}

  static async open(
    root: string,
    options: Omit<DeriverOptions, 'session'>,
    runner: Partial<
      Pick<
        SinkRunnerOptions,
        | 'queueCapacity'
        | 'queueBytes'
        | 'batchSize'
        | 'batchMs'
        | 'checkpoint'
        | 'checkpointEveryMs'
        | 'idleCheckpointMs'
      >
    > = {},
    session = 'mini',
    journalOptions: Partial<Pick<JournalOptions, 'groupCommit' | 'flushIntervalMs' | 'fs'>> = {},
  ): Promise<MiniCollector> {
    const journal = await Journal.open({
      dir: join(root, 'journal'),
      session,
      clock: systemClock,
      flushIntervalMs: 5,
      ...journalOptions,
      headers: deriverHeaderEntries({
        symbols: options.symbols,
        families: options.families ?? {},
        depth: options.depth ?? 10,
      }),
    });
    const deriverOptions = { ...options, session: journal.session };
    const deriver = new Deriver(deriverOptions);
    const dataDir = join(root, 'data');
    const sink = new GatedSink(new JsonlSink({ dataDir, session: journal.session }));
    const r = new SinkRunner({
      sink,
      sessionDir: journal.sessionDir,
      journal,
      live: deriver,
      newDeriver: () => new Deriver(deriverOptions),
      checkpoint: runner.checkpoint ?? 0,
      clock: systemClock,
      logger: (await import('../../../common/logger.js')).silentLogger,
      queueCapacity: runner.queueCapacity,
      queueBytes: runner.queueBytes,
      batchSize: runner.batchSize,
      batchMs: runner.batchMs,
      retry: { initialMs: 1, maxMs: 5, factor: 2, jitter: 0 },
      idleCheckpointMs: runner.idleCheckpointMs ?? 10,
      checkpointEveryMs: runner.checkpointEveryMs,
    });
    await r.start();
    return new MiniCollector(journal, deriver, r, sink, dataDir);
  }

  event(event: 'connect' | 'disconnect', channel: 'L1' | 'L2', us: number, reason?: string): void {
    const seq = this.journal.recordEvent({ event, channel, us, reason });
    this.deriver.event({ seq, event, channel, us, reason }, this.out);
    this.fanOut();
  }

  /** Both feed channels connected at `us`: the first events of every run here. */
  connect(us: number): void {
    this.event('connect', 'L1', us);
    this.event('connect', 'L2', us);
  }

  /**
   * Append `lines`, giving the runner and the journal's writer a turn of the event loop every
   * `yieldEvery` lines, as the loop gives them between socket reads. `each` runs after each line
   * is appended, with its index (and is awaited when it returns a promise).
   */
  async feed(
    lines: readonly GeneratedLine[],
    startUs: number,
    yieldEvery: number,
    each?: (i: number) => void | Promise<void>,
  ): Promise<void> {
    for (const [i, l] of lines.entries()) {
      this.append(l, startUs);
      const pending = each?.(i);
      if (pending) await pending;
      if (i % yieldEvery === 0) await new Promise((r) => setImmediate(r));
    }
  }

  append(l: GeneratedLine, startUs: number): void {
    const us = startUs + l.offsetUs;
    const seq = this.journal.append(l.channel, l.line, us);
    this.deriver.line(l.channel, l.line, seq, us, this.out);
    this.fanOut();
  }

  private fanOut(): void {
    for (const r of this.out) this.runner.offer(r);
    this.out.length = 0;
    this.runner.nudge();
  }

  /** Graceful stop as the collector does it: end the deriver, close the journal, drain, close. */
  async finish(timeoutMs = 20_000): Promise<boolean> {
    this.deriver.end(this.out);
    this.fanOut();
    await this.journal.close();
    const drained = await this.runner.drain(timeoutMs);
    await this.runner.close();
    return drained;
  }
}

/** Stop gracefully, drained, with the JSONL files holding exactly the records the journal implies. */
export async function expectAllWritten(c: MiniCollector): Promise<void> {
  expect(await c.finish()).toBe(true);
  expect(await jsonlLines(c.dataDir)).toEqual(await derivedLines(c.journal.sessionDir));
}

/** Every line of every JSONL file in `dataDir`, sorted. */
export async function jsonlLines(dataDir: string): Promise<string[]> {
  const out: string[] = [];
  for (const name of (await readdir(dataDir)).sort()) {
    if (!name.endsWith('.jsonl')) continue;
    const text = await readFile(join(dataDir, name), 'utf8');
    for (const l of text.split('\n')) if (l !== '') out.push(l);
  }
  return out.sort();
}

/** What the journal implies: every record, as JSON, sorted. */
export async function derivedLines(sessionDir: string): Promise<string[]> {
  const out: string[] = [];
  for await (const batch of deriveJournal(sessionDir)) for (const r of batch) out.push(r.json);
  return out.sort();
}
