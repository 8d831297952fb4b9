/**
 * The simulator's shared state between the listeners, the sessions and the replay: the list of
 * connections, the admin settings, the start trigger, the once-a-second admin push, the figures
 * for STATS and for the final report; which L1/L2 connections have fallen behind the live replay
 * (served by a catch-up cursor until they rejoin it); and the `--hold-when-unwatched` hold. With
 * `--wait-for-clients` no connection falls behind: one over its bound closes the flow gate until
 * it drains (its output's `pause-replay` overflow), and no catch-up cursor is ever opened.
 */
import type { Socket } from 'node:net';
import type { Channel } from '../collector/protocol/channel.js';
import { createL1Projector, SERVER_TERMINATORS } from '../collector/protocol/index.js';
import type { Timer } from '../common/clock.js';
import type { ResolvedSimulatorOptions } from './options.js';
import { createPrng, randomToken } from './prng.js';
import { BehindConnections, type StreamConnection } from './replay/behind.js';
import type { ReplayEngine } from './replay/engine.js';
import { FlowGate } from './replay/flow-gate.js';
import { ReplayHold } from './replay/hold.js';
import { Router } from './replay/router.js';
import type { TapeIndex } from './replay/tape-index.js';
import { identitySendPath } from './send-path.js';
import { SERVER_IP, SERVER_PORT, statsLine } from './session/admin-lines.js';
import { AdminSession } from './session/admin-session.js';
import type { AdminSettings, SessionContext } from './session/context.js';
import { L1Session } from './session/l1-session.js';
import { L2Session } from './session/l2-session.js';
import { CLOSE_GRACE_MS, ConnectionOutput } from './session/output.js';
import type { Session } from './session/session.js';
import { compactDate, SECOND_US } from './sim-time.js';
import type { FieldList } from './state/field-list.js';
import { type ConnectionReport, channelTotals, SentCounters, type SimulatorStats } from './stats.js';

/** The servers IQConnect reports in `S,IP`: the recorded shape, on this host. */
const IP_PORTS = [59000, 59000, 60009, 60001, 60005, 60012, 60003, 60015, 60050, 60014, 60016, 60018];
const SERVICES = ' NASDAQ-L2 NASDAQ L2_SERV RT_TRADER INDEX L2 ';

export class Hub implements SessionContext {
  readonly counters = new SentCounters();
  readonly router: Router;
  readonly gate = new FlowGate();
  readonly admin: AdminSettings & { connected: boolean; reconnections: number } = {
    connected: true,
    reconnections: 0,
    loginId: '000000',
    autoconnect: false,
    saveLoginInfo: false,
  };
  readonly banner: { readonly ip: string; readonly cust: string };
  readonly logger;
  private engineRef: ReplayEngine | null = null;
  private readonly all: Session[] = [];
  private openSessions: Session[] = [];
  private nextId = 1;
  private readonly projectors = new Map<string, (line: string) => string>();
  private readonly watchedL1 = new Set<string>();
  private readonly watchedL2 = new Set<string>();
  private lastSecond = { bytesIn: 0, bytesOut: 0, inRate: 0, outRate: 0 };
  private replayStartSimUs = -1;
  private endRunHandler: (reason: string) => void = () => {};
  private failHandler: (err: unknown) => void = () => {};
  /** The L1/L2 connections by id, as the fall-behind bookkeeping sees them. */
  private readonly streams = new Map<number, StreamConnection>();
  private behindRef: BehindConnections | null = null;
  private readonly hold: ReplayHold;
  private readonly linkUp = { L1: true, L2: true };
  /** While the L1 link is down: simulated time of the last tape line IQConnect received before. */
  private lastUpdateBeforeDownUs = -1;
  /** The after-tape watch for connections that stopped reading (cancelled when the run ends). */
  private stuckTimer: Timer | null = null;
  private readonly closedStuck = new Map<number, { linesBehind: number; queuedBytes: number }>();

  constructor(
    private readonly options: ResolvedSimulatorOptions,
    readonly index: TapeIndex,
  ) {
    this.logger = options.logger;
    this.router = new Router(index, this.counters);
    this.hold = new ReplayHold(this.gate, options.clock, options.logger);
    const prng = createPrng(options.seed);
    const maxSymbols = Math.max(500, index.symbols.size);
    const expires = compactDate(index.startUs + 30 * 86_400 * SECOND_US);
    this.banner = {
      ip: `S,IP,${IP_PORTS.map((p, i) => `${i < 2 ? '0.0.0.0' : SERVER_IP} ${p}`).join(',')}`,
      cust: `S,CUST,real_time,${SERVER_IP},${SERVER_PORT},${randomToken(prng, 16)},6.2.0.25,0,${SERVICES},${randomToken(prng, 30)},${maxSymbols},QT_API,${expires},`,
    };
  }

  set engine(engine: ReplayEngine) {
    this.engineRef = engine;
    // --wait-for-clients: the replay waits for the slowest client, nothing is served from behind.
    if (this.options.waitForClients) return;
    this.behindRef = new BehindConnections({
      tape: this.options.tape,
      batchSize: this.options.batchSize,
      readChunkBytes: this.options.readChunkBytes,
      sliceLines: this.options.sliceLines,
      live: engine,
      router: this.router,
      counters: this.counters,
      onError: (err) => this.failHandler(err),
    });
  }

  onEndRun(handler: (reason: string) => void): void {
    this.endRunHandler = handler;
  }

  /** Where a catch-up cursor's failure goes (the run fails, as for the live replay). */
  onFailure(handler: (err: unknown) => void): void {
    this.failHandler = handler;
  }

  // ---- SessionContext ----

  get symbolLimit(): number | null {
    return this.options.maxSymbols;
  }

  simNowUs(): number {
    return this.engineRef?.simNowUs ?? this.index.startUs;
  }

  noteWatch(channel: 'L1' | 'L2', symbol: string): void {
    const engine = this.engineRef;
    if (!engine || engine.isStarted) return;
    (channel === 'L1' ? this.watchedL1 : this.watchedL2).add(symbol);
    if (this.options.start === 'first-watch') this.startReplay();
    else if (this.options.start === 'all-watched') {
      const all = this.index.startSymbols.every((s) => this.watchedL1.has(s) && this.watchedL2.has(s));
      if (all) this.startReplay();
    }
  }

  watchesChanged(): void {
    this.updateHold();
  }

  serverLinkUp(channel: 'L1' | 'L2'): boolean {
    return this.linkUp[channel];
  }

  /**
   * The one place IQConnect's link to DTN changes (commands now; an outage could call it too).
   * Each L1/L2 connection of a changed channel gets the status line (an L2 one, after
   * DISCONNECTED, `S,CLEAR DEPTH` for both sides of every symbol it watches; after CONNECTED, the
   * current state of its watches, as DTN sends it again). Every connection is told at the same
   * place of the tape: one behind the live replay is first put back on it (its backlog is lost,
   * as the link's lines are). Tape lines are not sent while the link is down (router.ts).
   */
  setServerLink(channels: readonly ('L1' | 'L2')[], up: boolean, cause: string): boolean {
    const changed = channels.filter((ch) => this.linkUp[ch] !== up);
    if (changed.length === 0) return false;
    if (changed.includes('L1')) {
      if (up) this.admin.reconnections += this.lastUpdateBeforeDownUs >= 0 ? 1 : 0;
      this.lastUpdateBeforeDownUs = up ? -1 : this.simNowUs() - (this.engineRef?.sinceLastLineUs ?? 0);
      this.admin.connected = up;
    }
    for (const ch of changed) {
      this.linkUp[ch] = up;
      this.router.setLinkDown(ch, !up);
    }
    for (const s of this.openSessions) {
      if (!(s instanceof L1Session || s instanceof L2Session) || !changed.some((ch) => ch === s.channel))
        continue;
      const stream = this.streams.get(s.id);
      const skipped = stream && this.behindRef ? this.behindRef.skipToLive(stream) : 0;
      if (skipped > 0) {
        this.logger.info({ conn: s.id, skipped }, 'link change: a connection behind the replay rejoined it');
      }
      if (up) s.serverConnected();
      else s.serverDisconnected();
    }
    this.logger.info(
      { channels: changed, up, cause, line: this.engineRef?.linesReplayed ?? 0 },
      'server link changed',
    );
    this.flushAll();
    return true;
  }

  sessions(): readonly Session[] {
    return this.openSessions;
  }

  statsLine(): string {
    const engine = this.engineRef;
    const now = this.simNowUs();
    return statsLine({
      connected: this.admin.connected,
      reconnections: this.admin.reconnections,
      maxSymbols: Math.max(500, this.index.symbols.size),
      symbols: this.watchedSymbolCount(),
      clients: this.openSessions.length,
      secondsSinceUpdate:
        (this.lastUpdateBeforeDownUs >= 0
          ? now - this.lastUpdateBeforeDownUs
          : (engine?.sinceLastLineUs ?? 0)) / SECOND_US,
      startUs: this.index.startUs,
      nowUs: now,
      loginId: this.admin.loginId,
      bytesIn: engine?.bytesReceived ?? 0,
      bytesInLastSecond: this.lastSecond.inRate,
      bytesOut: this.bytesOut(),
      bytesOutLastSecond: this.lastSecond.outRate,
      elapsedSeconds: this.replayStartSimUs < 0 ? 0 : (now - this.replayStartSimUs) / SECOND_US,
    });
  }

  projector(from: FieldList, to: FieldList): (line: string) => string {
    const key = `${from.key}\u0000${to.key}`;
    let p = this.projectors.get(key);
    if (!p) {
      p = createL1Projector(from.names, to.names);
      this.projectors.set(key, p);
    }
    return p;
  }

  endRun(reason: string): void {
    this.endRunHandler(reason);
  }

  // ---- connections ----

  startReplay(): void {
    const engine = this.engineRef;
    if (!engine || engine.isStarted) return;
    this.replayStartSimUs = engine.simNowUs;
    engine.start();
    this.updateHold();
  }

  /**
   * `--hold-when-unwatched` (not IQConnect behaviour): while a channel the tape has lines for has
   * no connection watching anything, the replay cursor waits, as for a slow client (its schedule
   * shifts by the wait). A harness that kills and restarts its collector then loses no part of
   * the tape to the restart, whatever the machine's speed.
   */
  private updateHold(): void {
    if (!this.options.holdWhenUnwatched) return;
    const engine = this.engineRef;
    const unwatched =
      engine?.isStarted === true &&
      !engine.isEnded &&
      (['L1', 'L2'] as const).some(
        (ch) =>
          this.index.channelLines[ch] > 0 &&
          !this.openSessions.some((s) => s.channel === ch && (s.symbolCount() ?? 0) > 0),
      );
    this.hold.set(unwatched);
  }

  /** The tape ended: a hold has nothing left to hold. */
  tapeEnded(): void {
    this.updateHold();
  }

  accept(channel: Channel, socket: Socket): Session {
    const id = this.nextId++;
    const sendPath =
      this.options.sendPath?.({
        id,
        channel,
        // A connection behind the live replay is at its own place in simulated time.
        simNowUs: () => this.behindRef?.simNowUs(id) ?? this.simNowUs(),
        simBaseUs: this.index.startUs,
      }) ?? identitySendPath;
    const out = new ConnectionOutput(socket, {
      channel,
      terminator: SERVER_TERMINATORS[channel],
      maxQueueBytes: this.options.maxQueueBytes,
      checkpointEvery: this.options.checkpointEvery,
      sendPath,
      gate: this.gate,
      clock: this.options.clock,
      overflow:
        channel === 'ADMIN' ? 'own-loss' : this.options.waitForClients ? 'pause-replay' : 'fall-behind',
    });
    const remote = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? 0}`;
    const now = this.simNowUs();
    const session =
      channel === 'L1'
        ? new L1Session(this, id, out, remote, now)
        : channel === 'L2'
          ? new L2Session(this, id, out, remote, now)
          : new AdminSession(this, id, out, remote, now);
    this.all.push(session);
    this.openSessions = [...this.openSessions, session];
    if (session instanceof L1Session) this.router.addSession('L1', session);
    else if (session instanceof L2Session) this.router.addSession('L2', session);
    if (session instanceof L1Session || session instanceof L2Session) {
      this.streams.set(id, {
        id,
        out,
        subscriber:
          session instanceof L1Session ? { channel: 'L1', sub: session } : { channel: 'L2', sub: session },
        leaveReplay: () => session.leaveReplay(),
        joinReplay: () => session.joinReplay(),
        pauseInput: () => socket.pause(),
        resumeInput: () => socket.resume(),
      });
    }
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      try {
        session.onData(chunk);
      } catch (err) {
        this.logger.error({ err, conn: id }, 'a command failed inside the simulator');
      }
    });
    socket.on('error', (err) => this.logger.debug({ err, conn: id }, 'client socket error'));
    // The client half-closed: we end our side too (allowHalfOpen is off). Send what is queued and
    // stop counting there, so the stats never count a line written after our FIN.
    socket.on('end', () => {
      session.out.close('end');
      this.detach(session);
    });
    socket.on('close', () => this.detach(session));
    out.flush();
    this.logger.info({ conn: id, channel, remote }, 'client connected');
    return session;
  }

  private detach(session: Session): void {
    if (!this.openSessions.includes(session)) return;
    this.openSessions = this.openSessions.filter((s) => s !== session);
    session.detach();
    if (session instanceof L1Session || session instanceof L2Session) this.router.removeSession(session);
    session.out.detach();
    this.behindRef?.forget(session.id);
    this.streams.delete(session.id);
    this.updateHold();
    this.logger.info({ conn: session.id, channel: session.channel }, 'client disconnected');
  }

  flushAll(): void {
    for (const s of this.openSessions) s.out.flush();
  }

  /**
   * End of a replay slice: hand every queue to its socket, then move each L1/L2 connection that
   * is over its bound off the live replay, to be served from the tape behind it. Called by the
   * engine between two lines, so the place it left at is exact. With `--wait-for-clients` there
   * is no such move: a connection over its bound has closed the gate in its flush, and the
   * engine waits at it.
   */
  flushSlice(): void {
    this.flushAll();
    if (!this.behindRef) return;
    for (const s of this.openSessions) {
      if (!s.out.overBound || s.out.behind || s.out.isClosed) continue;
      const stream = this.streams.get(s.id);
      if (!stream) continue;
      this.behindRef.fallBehind(stream, this.router.tapeList);
      this.logger.debug({ conn: s.id, line: this.engineRef?.linesReplayed }, 'client fell behind the replay');
    }
  }

  /** Once per simulated second: the rates STATS reports, then the admin push. */
  onSecond(): void {
    const bytesIn = this.engineRef?.bytesReceived ?? 0;
    const bytesOut = this.bytesOut();
    this.lastSecond = {
      bytesIn,
      bytesOut,
      inRate: bytesIn - this.lastSecond.bytesIn,
      outRate: bytesOut - this.lastSecond.bytesOut,
    };
    for (const s of this.openSessions) if (s instanceof AdminSession) s.tick();
  }

  /**
   * Call `fn` once every open L1/L2 connection has been given everything the live replay gave
   * (one behind it has caught up) and its queue has been taken by the kernel. Admin connections
   * are not waited for: what they are owed is status, not tape. A connection that takes no byte
   * for `stuckAfterMs` meanwhile is closed and reported: a client that stopped reading must not
   * hold `tape-end`, and with it `--exit-at-end`, forever.
   */
  whenAllDrained(fn: () => void): void {
    const waiting = new Set<Session>();
    let armed = false;
    let finished = false;
    const check = (): void => {
      if (!armed || finished || waiting.size > 0) return;
      finished = true;
      this.stuckTimer?.cancel();
      this.stuckTimer = null;
      fn();
    };
    for (const s of this.openSessions) {
      if (s.channel === 'ADMIN') continue;
      waiting.add(s);
      const done = (): void => {
        waiting.delete(s);
        check();
      };
      if (this.behindRef) this.behindRef.whenCaughtUp(s.id, () => s.out.whenDrained(done));
      else s.out.whenDrained(done);
    }
    armed = true;
    check();
    if (!finished) this.watchStuck(waiting, () => finished);
  }

  /** Every so often, close the waited-for connections whose kernel-taken bytes did not move. */
  private watchStuck(waiting: ReadonlySet<Session>, isFinished: () => boolean): void {
    const { clock, stuckAfterMs } = this.options;
    const progress = new Map<Session, { taken: number; sinceUs: number }>();
    const every = Math.max(1, Math.min(1000, Math.floor(stuckAfterMs / 4)));
    const look = (): void => {
      this.stuckTimer = null;
      if (isFinished()) return;
      const now = clock.monoUs();
      for (const s of [...waiting]) {
        const taken = s.out.bytes - s.out.queuedBytes();
        const seen = progress.get(s);
        if (seen === undefined || seen.taken !== taken) progress.set(s, { taken, sinceUs: now });
        else if (now - seen.sinceUs >= stuckAfterMs * 1000) this.closeStuck(s, (now - seen.sinceUs) / 1000);
      }
      if (!isFinished()) this.stuckTimer = clock.setTimeout(look, every);
    };
    look();
  }

  private closeStuck(s: Session, idleMs: number): void {
    const report = { linesBehind: this.behindRef?.linesBehind(s.id) ?? 0, queuedBytes: s.out.queuedBytes() };
    this.closedStuck.set(s.id, report);
    this.logger.warn(
      {
        conn: s.id,
        channel: s.channel,
        remote: s.remote,
        client: s.clientName,
        ...report,
        idleMs: Math.round(idleMs),
      },
      `closing connection ${s.id} (${s.channel} ${s.remote}): it stopped reading after the tape, ${report.linesBehind} tape lines and ${report.queuedBytes} bytes behind`,
    );
    s.out.close('reset');
    this.detach(s);
  }

  /** Flush and close every connection (the run is over). */
  closeAll(): void {
    this.stuckTimer?.cancel();
    this.stuckTimer = null;
    this.behindRef?.closeAll();
    for (const s of this.openSessions) s.out.close('end', CLOSE_GRACE_MS);
  }

  // ---- reporting ----

  connectionReports(): ConnectionReport[] {
    return this.all.map((s) => {
      const o = s.out.stats();
      return {
        id: s.id,
        channel: s.channel,
        client: s.clientName,
        remote: s.remote,
        open: this.openSessions.includes(s),
        lines: o.lines,
        bytes: o.bytes,
        sha256Raw: o.sha256Raw,
        sha256Lines: o.sha256Lines,
        checkpointEvery: this.options.checkpointEvery,
        checkpoints: o.checkpoints,
        stalls: o.stalls,
        stalledMs: o.stalledMs,
        maxQueuedBytes: o.maxQueuedBytes,
        linesWhileBehind: this.behindRef?.linesGiven(s.id) ?? 0,
        ...(this.closedStuck.has(s.id) ? { closedStuck: this.closedStuck.get(s.id) } : {}),
      };
    });
  }

  stats(reason: string | null, pacing: string): SimulatorStats {
    const engine = this.engineRef;
    const connections = this.connectionReports();
    return {
      reason,
      tape: {
        path: this.options.tape,
        lines: this.index.lines,
        timeBase: this.index.timeBase,
        symbols: [...this.index.symbols].sort(),
      },
      replay: {
        pacing,
        start: this.options.start,
        started: engine?.isStarted ?? false,
        tapeEnded: engine?.isEnded ?? false,
        linesReplayed: engine?.linesReplayed ?? 0,
        linesNotForwarded: this.router.notForwarded,
        linesLostToLinkDown: this.router.lostToLinkDown,
        simStartUs: this.index.startUs,
        simNowUs: this.simNowUs(),
        holds: this.hold.holds,
        heldMs: this.hold.heldMs,
        waitForClients: this.options.waitForClients,
        timestampsSynthesized: { L1: !this.index.tapeTimestamps.L1, L2: !this.index.tapeTimestamps.L2 },
      },
      channels: channelTotals(connections),
      symbols: this.counters.symbolTable(),
      types: this.counters.types(),
      connections,
      ...(this.options.faults ? { faults: this.options.faults.report() } : {}),
    };
  }

  private bytesOut(): number {
    let n = 0;
    for (const s of this.all) n += s.out.bytes;
    return n;
  }

  private watchedSymbolCount(): number {
    const watched = new Set<string>();
    for (const s of this.openSessions) {
      if (s instanceof L1Session || s instanceof L2Session) {
        for (const sym of s.watchedSymbols()) watched.add(sym);
      }
    }
    return watched.size;
  }
}
