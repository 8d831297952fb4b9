import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Registry } from 'prom-client';
import { errorMessage } from '../../common/errors.js';
import type { Logger } from '../../common/logger.js';
import { assessStatus, healthHttpStatus } from './assess.js';
import type { RequestGate } from './auth.js';
import type { PageAssets } from './page-assets.js';
import type { HealthBody } from './status.js';
import type { StatusSource } from './status-push.js';

export interface RouteDeps {
  readonly gate: RequestGate;
  readonly assets: PageAssets;
  readonly source: StatusSource;
  readonly metrics: Registry;
  readonly logger: Logger;
}

/** Every response: nothing cached (a token may sit in the URL), nothing sniffed, no referrer sent on. */
const COMMON_HEADERS: Readonly<Record<string, string>> = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

/**
 * Routes of the monitor's HTTP server:
 * `/` the page, `/assets/*` its files, `/api/status` and `/api/history` JSON, `/metrics`
 * Prometheus text, `/health` 200 or 503. Only GET and HEAD; every request passes the gate first.
 */
export function createRequestHandler(deps: RouteDeps): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    handle(deps, req, res).catch((err: unknown) => {
      deps.logger.error({ err: errorMessage(err), path: pathOf(req) }, 'monitor request failed');
      if (!res.headersSent) sendJson(res, 500, { error: 'internal error', hint: 'see the collector log' });
      else res.destroy();
    });
  };
}

async function handle(deps: RouteDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = requestUrl(req);
  const refusal = deps.gate.check(req, url);
  if (refusal !== null) {
    // The path only: the query may carry a (wrong) token, which is not logged either.
    deps.logger.debug({ path: url.pathname, status: refusal.status }, 'monitor request refused');
    const extra: Record<string, string> =
      refusal.status === 401 ? { 'www-authenticate': 'Bearer realm="l2h-monitor"' } : {};
    sendJson(res, refusal.status, { error: refusal.error, hint: refusal.hint }, extra);
    return;
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    sendJson(
      res,
      405,
      { error: 'method not allowed', hint: 'the monitor is read-only: use GET' },
      { allow: 'GET, HEAD' },
    );
    return;
  }
  const path = url.pathname;
  switch (path) {
    case '/api/status':
      sendJson(res, 200, deps.source.status());
      return;
    case '/api/history':
      sendJson(res, 200, deps.source.history());
      return;
    case '/metrics': {
      const text = await deps.metrics.metrics();
      send(res, 200, deps.metrics.contentType, Buffer.from(text, 'utf8'));
      return;
    }
    case '/health':
      sendHealth(deps, res);
      return;
  }
  const asset = deps.assets.byPath.get(path);
  if (asset === undefined) {
    sendJson(res, 404, { error: 'not found', path });
    return;
  }
  const extra: Record<string, string> = asset.contentType.startsWith('text/html')
    ? { 'content-security-policy': deps.assets.contentSecurityPolicy }
    : {};
  send(res, 200, asset.contentType, asset.body, extra);
}

/** A status source that throws is itself a reason to fail the probe. */
function sendHealth(deps: RouteDeps, res: ServerResponse): void {
  let body: HealthBody;
  try {
    const status = deps.source.status();
    const { state, reasons } = assessStatus(status);
    body = { state, reasons, session: status.session, uptimeS: status.uptimeS, now: status.now };
  } catch (err) {
    deps.logger.error({ err: errorMessage(err) }, 'monitor status source failed during /health');
    body = {
      state: 'down',
      reasons: ['the collector could not report its status'],
      session: null,
      uptimeS: null,
      now: null,
    };
  }
  sendJson(res, healthHttpStatus(body.state), body);
}

function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  extra: Record<string, string> = {},
): void {
  send(res, status, 'application/json; charset=utf-8', Buffer.from(JSON.stringify(body), 'utf8'), extra);
}

function send(
  res: ServerResponse,
  status: number,
  contentType: string,
  body: Buffer,
  extra: Record<string, string> = {},
): void {
  res.writeHead(status, {
    ...COMMON_HEADERS,
    ...extra,
    'content-type': contentType,
    'content-length': String(body.length),
  });
  res.end(body);
}

/** Parsed against a fixed base: the Host header is the client's word and is checked elsewhere. */
export function requestUrl(req: IncomingMessage): URL {
  try {
    return new URL(req.url ?? '/', 'http://monitor.invalid');
  } catch {
    return new URL('http://monitor.invalid/');
  }
}

function pathOf(req: IncomingMessage): string {
  return requestUrl(req).pathname;
}
