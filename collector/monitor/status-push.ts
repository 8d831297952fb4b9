import type { WebSocket } from 'ws';
import type { Clock, Timer } from '../../common/clock.js';
import { errorMessage } from '../../common/errors.js';
import type { Logger } from '../../common/logger.js';
import { assessStatus } from './assess.js';
import type { CollectorStatus, MonitorMessage, RateSample } from './status.js';

/** The page is told at least this often; also the resolution of its rate chart. */
export const PUSH_INTERVAL_MS = 1000;

/**
 * A page that cannot keep up (a frozen tab, a dead link the kernel has not noticed) is cut off
 * rather than buffered without bound; it reconnects and starts again from the history.
 */
export const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;

export interface StatusSource {
  readonly status: () => CollectorStatus;
  readonly history: () => readonly RateSample[];
}

/**
 * Sends every connected page the history once, then the status at once and every second.
 * The status is read and serialised once per tick, whatever the number of pages.
 */
export class StatusPusher {
  private readonly clients = new Set<WebSocket>();
  private readonly timer: Timer;
  private sourceFailing = false;

  constructor(
    private readonly source: StatusSource,
    clock: Clock,
    private readonly logger: Logger,
  ) {
    this.timer = clock.setInterval(() => this.tick(), PUSH_INTERVAL_MS);
  }

  get clientCount(): number {
    return this.clients.size;
  }

  add(ws: WebSocket): void {
    this.clients.add(ws);
    ws.on('close', () => this.clients.delete(ws));
    ws.on('error', (err) => {
      this.logger.debug({ err: errorMessage(err) }, 'monitor websocket error');
      this.clients.delete(ws);
    });
    const history = this.read(() => this.source.history());
    if (history !== null)
      this.send(ws, JSON.stringify({ type: 'history', samples: history } satisfies MonitorMessage));
    const status = this.statusMessage();
    if (status !== null) this.send(ws, status);
  }

  close(): void {
    this.timer.cancel();
    for (const ws of this.clients) ws.terminate();
    this.clients.clear();
  }

  private tick(): void {
    if (this.clients.size === 0) return;
    const message = this.statusMessage();
    if (message === null) return;
    for (const ws of this.clients) this.send(ws, message);
  }

  private statusMessage(): string | null {
    const status = this.read(() => this.source.status());
    if (status === null) return null;
    const message: MonitorMessage = { type: 'status', status, assessment: assessStatus(status) };
    return JSON.stringify(message);
  }

  private send(ws: WebSocket, text: string): void {
    if (ws.readyState !== ws.OPEN) return;
    if (ws.bufferedAmount > MAX_BUFFERED_BYTES) {
      this.logger.warn(
        { bufferedBytes: ws.bufferedAmount },
        'monitor page too slow to keep up; disconnecting it',
      );
      this.clients.delete(ws);
      ws.terminate();
      return;
    }
    ws.send(text);
  }

  /** A failing status source is logged once when it starts failing and once when it recovers. */
  private read<T>(fn: () => T): T | null {
    try {
      const value = fn();
      if (this.sourceFailing) {
        this.sourceFailing = false;
        this.logger.info('monitor status source recovered');
      }
      return value;
    } catch (err) {
      if (!this.sourceFailing) {
        this.sourceFailing = true;
        this.logger.error(
          { err: errorMessage(err) },
          'monitor status source failed; pushing nothing until it recovers',
        );
      }
      return null;
    }
  }
}
