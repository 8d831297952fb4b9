/**
 * The Redis sink: the live state of every symbol for readers on other machines, and bounded
 * streams of recent records (README.md beside this file has the key layout).
 *
 * Client: ioredis 5. It pipelines (a batch of thousands of records is one round trip), reconnects
 * on its own with our backoff, and lets us turn off its offline queue — with the queue on, a
 * Redis that is down would make the client buffer every command without bound; off, a write fails
 * at once and the runner keeps the records in the journal instead. `maxRetriesPerRequest: 0`
 * makes commands that were in flight when the connection broke fail rather than hang, and
 * `commandTimeout` does the same for a Redis that stopped answering without closing the socket.
 *
 * `write` resolves once Redis acknowledged the batch's pipeline:
 * - latest-state keys, one script call per 500 keys, that only move forward (scripts.ts);
 * - per record `XADD <stream:kind> MAXLEN ~ N <epoch>-<seq> symbol S json J`, run by a script 500
 *   entries a call (half the cost of pipelining the XADDs one by one). Explicit IDs make
 *   re-delivery harmless: Redis refuses an ID that is not above the stream's top, and the
 *   refusal is counted (`stats().streamRejected`), not stored twice;
 * - the symbol set and the writer's meta hash.
 *
 * After a reconnect (Redis restarted, possibly empty), before anything else, the sink rewrites
 * the latest state from memory and re-adds the remembered tail of each stream above the
 * stream's top (memory.ts); the runner then resends the batch that failed, from its checkpoint.
 */
import { Redis } from 'ioredis';
import { type Clock, systemClock } from '../../../common/clock.js';
import { type Logger, redactUrl, silentLogger } from '../../../common/logger.js';
import { recordJsonBytes } from '../../records/json.js';
import { RECORD_KINDS, type RecordEnvelope, type RecordKind } from '../../records/types.js';
import type { Sink } from '../sink.js';
import { redisError, redisUnavailable } from './errors.js';
import { parseStreamId, type RedisKeys, redisKeys } from './keys.js';
import { LatestRecords, StreamTails } from './memory.js';
import { type RedisSinkOptions, type ResolvedRedisSinkOptions, resolveRedisSinkOptions } from './options.js';
import { LATEST_SCRIPT, SESSION_EPOCH_SCRIPT, STREAM_SCRIPT } from './scripts.js';

export interface RedisSinkDeps {
  readonly logger?: Logger;
  readonly clock?: Clock;
}

export interface RedisSinkStats {
  readonly batches: number;
  readonly records: number;
  /** Stream entries Redis accepted. */
  readonly streamAdded: number;
  /** Stream entries Redis refused as not newer than the top: re-delivered records. */
  readonly streamRejected: number;
  readonly latestWritten: number;
  /** Latest-state writes skipped because Redis held a later record. */
  readonly latestStale: number;
  /** Times the state was rebuilt after Redis came back. */
  readonly resyncs: number;
  /** Stream entries re-added from memory during those rebuilds. */
  readonly refilled: number;
  /** The stream IDs' first part for this session; null before the first write. */
  readonly epochMs: number | null;
}

type PipelineResult = [error: Error | null, result: unknown][];

/** Records per pipeline while refilling streams after a reconnect. */
const REFILL_CHUNK = 5000;
/** Stream entries per script call: one call holds Redis for about 4 ms at most. */
const STREAM_CHUNK = 500;

export class RedisSink implements Sink {
  readonly name = 'redis' as const;
  readonly options: ResolvedRedisSinkOptions;
  readonly keys: RedisKeys;
  private readonly redis: Redis;
  private readonly logger: Logger;
  private readonly clock: Clock;
  private readonly latest = new LatestRecords();
  private readonly tails: StreamTails;
  private readonly knownSymbols = new Set<string>();
  private epoch: number | null = null;
  /** Highest seq acknowledged: the meta hash reports progress, which re-delivery must not move back. */
  private maxSeq = 0;
  private scriptsLoaded = false;
  private everReady = false;
  private needResync = false;
  private outageLogged = false;
  private chain: Promise<void> = Promise.resolve();
  private closing = false;
  private counters = {
    batches: 0,
    records: 0,
    streamAdded: 0,
    streamRejected: 0,
    latestWritten: 0,
    latestStale: 0,
    resyncs: 0,
    refilled: 0,
  };

  constructor(options: RedisSinkOptions, deps: RedisSinkDeps = {}) {
    this.options = resolveRedisSinkOptions(options);
    this.keys = redisKeys(this.options.keyPrefix);
    this.logger = deps.logger ?? silentLogger;
    this.clock = deps.clock ?? systemClock;
    this.tails = new StreamTails(this.options.streamMaxLen);
    this.redis = new Redis(this.options.url, {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      autoResendUnfulfilledCommands: false,
      commandTimeout: this.options.commandTimeoutMs,
      connectTimeout: this.options.connectTimeoutMs,
      connectionName: `l2h-collector-${this.options.session.slice(0, 8)}`,
      // Forever, at most every 2 s: a collector outlives any Redis maintenance window.
      retryStrategy: (times: number) => Math.min(2000, 50 * 2 ** Math.min(times, 6)),
    });
    this.redis.on('error', (err: Error) => {
      if (this.closing) return;
      if (!this.outageLogged) {
        this.outageLogged = true;
        this.logger.warn(
          { url: redactUrl(this.options.url), err: err.message },
          'Redis unreachable; the collector goes on, Redis writes wait in the journal',
        );
      } else {
        this.logger.debug({ err: err.message }, 'Redis still unreachable');
      }
    });
    this.redis.on('close', () => {
      this.scriptsLoaded = false;
    });
    this.redis.on('ready', () => {
      this.scriptsLoaded = false;
      if (this.everReady) {
        this.needResync = true;
        this.logger.info({ url: redactUrl(this.options.url) }, 'Redis is back; rewriting the latest state');
        // Rebuild now rather than at the next record: after the close the market may be quiet.
        void this.serial(() => this.resync()).catch((err: unknown) =>
          this.logger.warn(
            { err: redisError(err, 'resync', this.options.url).message },
            'Redis resync failed; it is retried with the next write',
          ),
        );
      }
      this.everReady = true;
      this.outageLogged = false;
    });
  }

  /**
   * Connect. A Redis that is down now is an outage like a later one: the collector starts, and
   * the first writes fail retriably until it answers. Only a refusal no retry can cure (a wrong
   * password) fails here.
   */
  async open(): Promise<void> {
    try {
      await this.redis.connect();
    } catch (err) {
      const e = redisError(err, 'connect', this.options.url);
      if (!e.retriable) throw e;
      this.logger.warn({ err: e.message }, 'Redis not reachable at start; retrying in the background');
    }
  }

  write(batch: readonly RecordEnvelope[]): Promise<void> {
    return this.serial(() => this.writeBatch(batch));
  }

  async close(): Promise<void> {
    await this.chain;
    this.closing = true;
    if (this.redis.status === 'ready') {
      try {
        await this.redis.quit();
        return;
      } catch {
        // Fall through to a hard disconnect.
      }
    }
    this.redis.disconnect();
  }

  stats(): RedisSinkStats {
    return { ...this.counters, epochMs: this.epoch };
  }

  // ── one thing at a time ──────────────────────────────────────────────────────────────────

  /** Writes and resyncs never overlap: a resync must finish before the next batch goes out. */
  private serial<T>(op: () => Promise<T>): Promise<T> {
    const run = this.chain.then(op);
    this.chain = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  private async prepare(): Promise<number> {
    if (this.redis.status !== 'ready') throw redisUnavailable(this.options.url, this.redis.status);
    if (!this.scriptsLoaded) {
      try {
        await Promise.all(
          [LATEST_SCRIPT, SESSION_EPOCH_SCRIPT, STREAM_SCRIPT].map((s) => this.redis.script('LOAD', s.lua)),
        );
      } catch (err) {
        throw redisError(err, 'SCRIPT LOAD', this.options.url);
      }
      this.scriptsLoaded = true;
    }
    if (this.epoch === null) this.epoch = await this.sessionEpoch();
    if (this.needResync) await this.resync();
    return this.epoch;
  }

  private async sessionEpoch(): Promise<number> {
    const keys = [this.keys.sessions, ...RECORD_KINDS.map((k) => this.keys.stream(k))];
    const nowMs = String(Math.floor(this.clock.wallUs() / 1000));
    let text: unknown;
    try {
      text = await this.redis.evalsha(
        SESSION_EPOCH_SCRIPT.sha,
        keys.length,
        ...keys,
        this.options.session,
        nowMs,
      );
    } catch (err) {
      this.onScriptError(err);
      throw redisError(err, 'session registration', this.options.url);
    }
    const epoch = Number(text);
    if (!Number.isSafeInteger(epoch) || epoch <= 0) {
      throw redisError(
        new Error(`session epoch script returned ${String(text)}`),
        'session registration',
        this.options.url,
      );
    }
    return epoch;
  }

  private onScriptError(err: unknown): void {
    if (err instanceof Error && /NOSCRIPT/.test(err.message)) this.scriptsLoaded = false;
  }

  // ── writing a batch ─────────────────────────────────────────────────────────────────────

  private async writeBatch(batch: readonly RecordEnvelope[]): Promise<void> {
    if (batch.length === 0) return;
    const epoch = await this.prepare();
    const p = this.redis.pipeline();
    const last = new Map<string, RecordEnvelope>();
    for (const r of batch) last.set(this.keys.latest(r.kind, r.symbol), r);
    const latestCalls = this.queueLatest(p, [...last], epoch);
    const streamCalls = this.queueStreams(p, batch, epoch);
    const fresh = [...new Set(batch.map((r) => r.symbol))].filter((s) => !this.knownSymbols.has(s));
    if (fresh.length > 0) p.sadd(this.keys.symbols, ...fresh);
    p.hset(
      this.keys.meta,
      'session',
      this.options.session,
      'epoch_ms',
      String(epoch),
      'seq',
      String(Math.max(this.maxSeq, batch[batch.length - 1].seq)),
      'written_at',
      new Date(Math.floor(this.clock.wallUs() / 1000)).toISOString(),
    );
    const results = await this.exec(p, 'batch write');
    let i = 0;
    for (; i < latestCalls; i++) this.countLatest(results[i]);
    for (const what of streamCalls) this.countStream(results[i++], what);
    for (; i < results.length; i++) {
      const [err] = results[i];
      if (err !== null) throw redisError(err, 'batch write', this.options.url);
    }
    for (const r of batch) {
      this.latest.note(r);
      this.tails.note(r);
    }
    for (const s of fresh) this.knownSymbols.add(s);
    this.maxSeq = Math.max(this.maxSeq, batch[batch.length - 1].seq);
    this.counters.batches++;
    this.counters.records += batch.length;
  }

  /** Adds the latest-state script calls for `entries` to `p`; returns how many calls. */
  private queueLatest(
    p: ReturnType<Redis['pipeline']>,
    entries: readonly [string, RecordEnvelope][],
    epoch: number,
  ): number {
    const per = this.options.latestKeysPerCall;
    let calls = 0;
    for (let at = 0; at < entries.length; at += per) {
      const chunk = entries.slice(at, at + per);
      const args: (string | Buffer)[] = [
        this.keys.sessions,
        ...chunk.map(([key]) => key),
        this.options.session,
        String(epoch),
      ];
      // The JSON as bytes, straight from the record's JSONL line (no string to decode and encode).
      for (const [, r] of chunk) args.push(String(r.seq), recordJsonBytes(r));
      p.evalsha(LATEST_SCRIPT.sha, chunk.length + 1, ...args);
      calls++;
    }
    return calls;
  }

  /**
   * Adds the stream script calls for `records` to `p`, per kind in record order, at most
   * `STREAM_CHUNK` entries a call; returns what each call writes, for error messages.
   */
  private queueStreams(
    p: ReturnType<Redis['pipeline']>,
    records: Iterable<RecordEnvelope>,
    epoch: number,
  ): string[] {
    const byKind = new Map<RecordKind, (string | Buffer)[]>();
    const calls: string[] = [];
    const flush = (kind: RecordKind, args: (string | Buffer)[]) => {
      const key = this.keys.stream(kind);
      p.evalsha(STREAM_SCRIPT.sha, 1, key, String(this.options.streamMaxLen), String(epoch), ...args);
      calls.push(`${key} seq ${String(args[0])}..${String(args[args.length - 3])}`);
    };
    for (const r of records) {
      let args = byKind.get(r.kind);
      if (args === undefined) {
        args = [];
        byKind.set(r.kind, args);
      }
      args.push(String(r.seq), r.symbol, recordJsonBytes(r));
      if (args.length >= STREAM_CHUNK * 3) {
        flush(r.kind, args);
        byKind.set(r.kind, []);
      }
    }
    for (const [kind, args] of byKind) if (args.length > 0) flush(kind, args);
    return calls;
  }

  private countStream(result: [Error | null, unknown], what: string): number {
    const [err, value] = result;
    if (err !== null) {
      this.onScriptError(err);
      throw redisError(err, `stream write ${what}`, this.options.url);
    }
    const [added, rejected] = Array.isArray(value) ? value.map(Number) : [0, 0];
    this.counters.streamAdded += added ?? 0;
    this.counters.streamRejected += rejected ?? 0;
    return added ?? 0;
  }

  private countLatest(result: [Error | null, unknown]): void {
    const [err, value] = result;
    if (err !== null) {
      this.onScriptError(err);
      throw redisError(err, 'latest-state script', this.options.url);
    }
    if (Array.isArray(value)) {
      this.counters.latestWritten += Number(value[0]);
      this.counters.latestStale += Number(value[1]);
    }
  }

  private async exec(p: ReturnType<Redis['pipeline']>, what: string): Promise<PipelineResult> {
    let results: PipelineResult | null;
    try {
      results = (await p.exec()) as PipelineResult | null;
    } catch (err) {
      throw redisError(err, what, this.options.url);
    }
    if (results === null) throw redisUnavailable(this.options.url, this.redis.status);
    return results;
  }

  // ── after Redis came back ───────────────────────────────────────────────────────────────

  /**
   * Bring Redis back to what this sink wrote: the session's epoch, every latest key (forward
   * only, so a key that survived is left alone), and each stream's remembered tail above its top.
   */
  private async resync(): Promise<void> {
    if (!this.needResync) return;
    if (this.redis.status !== 'ready') throw redisUnavailable(this.options.url, this.redis.status);
    this.needResync = false;
    try {
      await this.rebuild();
    } catch (err) {
      this.needResync = true;
      throw err;
    }
  }

  private async rebuild(): Promise<void> {
    // prepare() without the resync step: scripts and epoch first.
    if (!this.scriptsLoaded) {
      await Promise.all(
        [LATEST_SCRIPT, SESSION_EPOCH_SCRIPT, STREAM_SCRIPT].map((s) => this.redis.script('LOAD', s.lua)),
      );
      this.scriptsLoaded = true;
    }
    if (this.epoch === null) return; // nothing written yet: nothing to restore
    const epoch = this.epoch;
    const started = this.clock.monoUs();
    const head = this.redis.pipeline();
    head.hsetnx(this.keys.sessions, this.options.session, String(epoch));
    for (const k of RECORD_KINDS) head.xrevrange(this.keys.stream(k), '+', '-', 'COUNT', 1);
    const tops = await this.exec(head, 'resync read');
    for (const [err] of tops) if (err !== null) throw redisError(err, 'resync read', this.options.url);

    const p = this.redis.pipeline();
    const latestCalls = this.queueLatest(
      p,
      [...this.latest.values()].map(
        (r) => [this.keys.latest(r.kind, r.symbol), r] as [string, RecordEnvelope],
      ),
      epoch,
    );
    if (this.knownSymbols.size > 0) p.sadd(this.keys.symbols, ...this.knownSymbols);
    const results = await this.exec(p, 'resync latest state');
    for (let i = 0; i < latestCalls; i++) this.countLatest(results[i]);

    let refilled = 0;
    for (const [n, kind] of RECORD_KINDS.entries())
      refilled += await this.refill(kind, epoch, topOf(tops[n + 1][1]));
    this.counters.resyncs++;
    this.counters.refilled += refilled;
    this.logger.info(
      {
        latestKeys: this.latest.size,
        streamEntries: refilled,
        ms: Math.round((this.clock.monoUs() - started) / 1000),
      },
      'Redis state rebuilt after reconnect',
    );
  }

  /** Re-add the remembered records of `kind` that sort above the stream's top entry. */
  private async refill(
    kind: RecordKind,
    epoch: number,
    top: { epochMs: number; seq: number } | null,
  ): Promise<number> {
    const todo: RecordEnvelope[] = [];
    for (const r of this.tails.records(kind)) {
      if (top !== null && (epoch < top.epochMs || (epoch === top.epochMs && r.seq <= top.seq))) continue;
      todo.push(r);
    }
    let added = 0;
    for (let at = 0; at < todo.length; at += REFILL_CHUNK) {
      const p = this.redis.pipeline();
      const calls = this.queueStreams(p, todo.slice(at, at + REFILL_CHUNK), epoch);
      const results = await this.exec(p, `resync ${this.keys.stream(kind)}`);
      for (const [n, what] of calls.entries()) added += this.countStream(results[n], `resync ${what}`);
    }
    return added;
  }
}

/** The top entry's ID from an `XREVRANGE … COUNT 1` reply. */
function topOf(reply: unknown): { epochMs: number; seq: number } | null {
  if (!Array.isArray(reply) || reply.length === 0) return null;
  const entry: unknown = reply[0];
  if (!Array.isArray(entry) || typeof entry[0] !== 'string') return null;
  return parseStreamId(entry[0]);
}

/** The factory for the sink registry (`--sinks …,redis`). */
export function createRedisSink(options: RedisSinkOptions, deps: RedisSinkDeps = {}): RedisSink {
  return new RedisSink(options, deps);
}
