import { request } from 'node:http';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { WebSocket } from 'ws';
import { type MonitorHandle, startMonitor } from '../../../collector/monitor/server.js';
import type { CollectorStatus, MonitorMessage, RateSample } from '../../../collector/monitor/status.js';
import { type Clock, ManualClock } from '../../../common/clock.js';
import type { Logger } from '../../../common/logger.js';
import { sampleHistory, sampleStatus } from './sample-status.js';

/** A logger whose every line (at trace level and up) lands in `lines`. */
export function capturingLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const logger = pino({ level: 'trace' }, { write: (line: string) => void lines.push(line) });
  return { logger, lines };
}

export interface RunningMonitor {
  readonly monitor: MonitorHandle;
  readonly clock: Clock;
  readonly registry: Registry;
  readonly logLines: string[];
  /** What the status source returns next; tests replace it to change what the collector says. */
  current: CollectorStatus;
  history: RateSample[];
  /** Set to make the status source throw. */
  failWith: Error | null;
  readonly base: string;
}

export interface StartOptions {
  readonly host?: string;
  readonly token?: string;
  readonly clock?: Clock;
}

export async function runMonitor(options: StartOptions = {}): Promise<RunningMonitor> {
  const { logger, lines } = capturingLogger();
  const clock = options.clock ?? new ManualClock(Date.parse('2026-11-24T15:32:05Z') * 1000);
  const registry = new Registry();
  const state = {
    current: sampleStatus(),
    history: sampleHistory(120, Date.parse('2026-11-24T15:32:04Z')),
    failWith: null as Error | null,
  };
  const monitor = await startMonitor({
    host: options.host,
    port: 0,
    token: options.token,
    status: () => {
      if (state.failWith) throw state.failWith;
      return state.current;
    },
    history: () => state.history,
    metrics: registry,
    logger,
    clock,
  });
  return Object.assign(state, {
    monitor,
    clock,
    registry,
    logLines: lines,
    base: `http://127.0.0.1:${monitor.port}`,
  });
}

export interface HttpReply {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: string;
}

/** A plain node:http request, so tests can send any Host, Origin or method they like. */
export function httpGet(
  url: string,
  headers: Readonly<Record<string, string>> = {},
  method = 'GET',
): Promise<HttpReply> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/** A WebSocket client that records every message, or the HTTP status its upgrade was refused with. */
export class RecordingClient {
  readonly messages: MonitorMessage[] = [];
  readonly raw: string[] = [];
  refusedWith: number | null = null;
  refusalBody = '';
  opened = false;
  closed = false;
  readonly ws: WebSocket;

  constructor(url: string, headers: Readonly<Record<string, string>> = {}) {
    this.ws = new WebSocket(url, { headers });
    this.ws.on('open', () => {
      this.opened = true;
    });
    this.ws.on('message', (data) => {
      const text = data.toString();
      this.raw.push(text);
      this.messages.push(JSON.parse(text) as MonitorMessage);
    });
    this.ws.on('unexpected-response', (_req, res) => {
      this.refusedWith = res.statusCode ?? 0;
      res.on('data', (c: Buffer) => {
        this.refusalBody += c.toString('utf8');
      });
    });
    this.ws.on('error', () => {
      // Refusals and closes are recorded above; the error event only repeats them.
    });
    this.ws.on('close', () => {
      this.closed = true;
    });
  }

  statuses(): CollectorStatus[] {
    return this.messages.flatMap((m) => (m.type === 'status' ? [m.status] : []));
  }

  close(): void {
    this.ws.terminate();
  }
}

/** Polls `condition` until it holds or the deadline passes; the failure names what was awaited. */
export async function waitFor(what: string, condition: () => boolean, deadlineMs = 5000): Promise<void> {
  const until = Date.now() + deadlineMs;
  while (!condition()) {
    if (Date.now() > until) throw new Error(`timed out after ${deadlineMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/**
 * Proves nothing more arrives: a round trip over the same socket (ping → pong) is answered after
 * any message the server sent before it, so the count seen then is final for that instant.
 */
export function roundTrip(client: RecordingClient): Promise<void> {
  return new Promise((resolve, reject) => {
    const onPong = () => {
      client.ws.off('pong', onPong);
      resolve();
    };
    client.ws.on('pong', onPong);
    client.ws.ping((err?: Error) => {
      if (err) reject(err);
    });
  });
}
