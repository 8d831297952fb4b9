import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Registry } from 'prom-client';
import { WebSocketServer } from 'ws';
import type { Clock } from '../../common/clock.js';
import { L2hError } from '../../common/errors.js';
import type { Logger } from '../../common/logger.js';
import { checkBindSecurity, crossOrigin, type Refusal, RequestGate } from './auth.js';
import { createRequestHandler, requestUrl } from './http-routes.js';
import { loadPageAssets } from './page-assets.js';
import type { CollectorStatus, RateSample } from './status.js';
import { StatusPusher } from './status-push.js';

export interface MonitorOptions {
  /** Default 127.0.0.1. Any non-loopback address requires `token`. */
  readonly host?: string;
  /** 0 picks a free port; the handle tells which. */
  readonly port: number;
  /** Required on every request when set (Bearer header or `?token=`); never logged or served. */
  readonly token?: string;
  readonly status: () => CollectorStatus;
  readonly history: () => readonly RateSample[];
  readonly metrics: Registry;
  readonly logger: Logger;
  readonly clock: Clock;
}

export interface MonitorHandle {
  /** `http://host:port/`, without the token. */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/** Client frames are never expected; a small bound keeps a misbehaving page from costing memory. */
const MAX_CLIENT_FRAME_BYTES = 1024;

/**
 * The collector's live monitoring server: the page, `/api/status`, `/api/history`, `/metrics`,
 * `/health` and the `/ws` status stream, on one node:http server.
 */
export async function startMonitor(options: MonitorOptions): Promise<MonitorHandle> {
  const host = options.host ?? '127.0.0.1';
  checkBindSecurity(host, options.token);
  const gate = new RequestGate(options.token);
  const assets = loadPageAssets();
  const source = { status: options.status, history: options.history };
  const logger = options.logger;

  const server = createServer(
    createRequestHandler({ gate, assets, source, metrics: options.metrics, logger }),
  );
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_CLIENT_FRAME_BYTES });
  const pusher = new StatusPusher(source, options.clock, logger);

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = requestUrl(req);
    const refusal: Refusal =
      url.pathname !== '/ws'
        ? { status: 403, error: 'not a websocket endpoint', hint: 'the status stream is at /ws' }
        : crossOrigin(req)
          ? { status: 403, error: 'cross-origin websocket refused', hint: 'open the page from this server' }
          : gate.check(req, url);
    if (refusal !== null) {
      socket.on('error', () => {
        // The client hung up before reading the refusal; nothing is left to tell it.
      });
      logger.debug({ path: url.pathname, status: refusal.status }, 'monitor websocket refused');
      refuseUpgrade(socket, refusal);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      ws.on('message', () => {
        // The stream is one-way; anything a page sends is ignored.
      });
      pusher.add(ws);
    });
  });

  try {
    await listen(server, host, options.port);
  } catch (err) {
    pusher.close();
    throw err;
  }
  const port = (server.address() as AddressInfo).port;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}/`;
  logger.info({ url, auth: gate.requiresToken ? 'token' : 'loopback only' }, 'monitor listening');

  let closing: Promise<void> | null = null;
  return {
    url,
    port,
    close() {
      closing ??= (async () => {
        pusher.close();
        await new Promise<void>((resolve) => wss.close(() => resolve()));
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
        logger.info({ url }, 'monitor closed');
      })();
      return closing;
    },
  };
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      reject(
        new L2hError(`the monitor cannot listen on ${host}:${port}: ${err.code ?? err.message}`, {
          code: 'IO',
          cause: err,
          context: { host, port },
          hint:
            err.code === 'EADDRINUSE'
              ? 'another process holds that port: choose another monitor port, or 0 for any free one'
              : err.code === 'EADDRNOTAVAIL'
                ? 'that address is not one of this machine’s interfaces'
                : undefined,
        }),
      );
    };
    server.once('error', onError);
    server.listen({ host, port }, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

/** Answers a refused upgrade with a plain HTTP response so clients see the real status code. */
function refuseUpgrade(socket: Duplex, refusal: NonNullable<Refusal>): void {
  const body = JSON.stringify({ error: refusal.error, hint: refusal.hint });
  const reason = refusal.status === 401 ? 'Unauthorized' : 'Forbidden';
  const auth = refusal.status === 401 ? 'WWW-Authenticate: Bearer realm="l2h-monitor"\r\n' : '';
  socket.end(
    `HTTP/1.1 ${refusal.status} ${reason}\r\n` +
      'Connection: close\r\n' +
      'Content-Type: application/json; charset=utf-8\r\n' +
      'Cache-Control: no-store\r\n' +
      auth +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n` +
      body,
  );
}
