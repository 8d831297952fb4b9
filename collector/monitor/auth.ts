import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import { L2hError } from '../../common/errors.js';

/** Shorter tokens are refused: the monitor shows a firm's feed state to anyone who has one. */
export const MIN_TOKEN_LENGTH = 16;

const TOKEN_HINT =
  'pass --monitor-token <token> or set L2H_MONITOR_TOKEN (at least 16 printable ASCII characters, ' +
  'e.g. from `openssl rand -hex 32`), or bind the monitor to 127.0.0.1';

/** True for addresses only this machine can reach: 127.0.0.0/8, ::1, ::ffff:127.x.y.z, `localhost`. */
export function isLoopbackHost(host: string): boolean {
  const h = host
    .trim()
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1');
  if (h === 'localhost') return true;
  const family = isIP(h);
  if (family === 4) return h.startsWith('127.');
  if (family === 6) {
    if (h === '::1' || h === '0:0:0:0:0:0:0:1') return true;
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(h);
    return mapped?.[1].startsWith('127.') === true;
  }
  return false;
}

/**
 * Issue 7: the monitor binds to loopback by default; any other address needs a token. Throws a
 * BAD_USAGE L2hError naming the host (never the token) when the combination is unsafe.
 */
export function checkBindSecurity(host: string, token: string | undefined): void {
  if (token !== undefined) {
    // The token travels in an HTTP header and a query string: printable ASCII keeps it intact in both.
    if (token.length < MIN_TOKEN_LENGTH || !/^[\x21-\x7e]+$/.test(token)) {
      throw new L2hError(
        `the monitor token must be at least ${MIN_TOKEN_LENGTH} printable ASCII characters without spaces`,
        { code: 'BAD_USAGE', context: { host, tokenLength: token.length }, hint: TOKEN_HINT },
      );
    }
    return;
  }
  if (!isLoopbackHost(host)) {
    throw new L2hError(`the monitor refuses to listen on ${host} without a token`, {
      code: 'BAD_USAGE',
      context: { host },
      hint: TOKEN_HINT,
    });
  }
}

/** Why a request is refused before it reaches a route; null when it may proceed. */
export type Refusal = { readonly status: 401 | 403; readonly error: string; readonly hint: string } | null;

/**
 * Decides whether a request (plain HTTP or the WebSocket upgrade) may proceed.
 * - With a token: it must come as `Authorization: Bearer <token>` or `?token=<token>`.
 * - Without one (loopback only): the Host header must name a loopback address too, so a web page
 *   that rebinds its own DNS name to 127.0.0.1 cannot read the monitor through the operator's browser.
 */
export class RequestGate {
  private readonly digest: Buffer | null;

  constructor(token: string | undefined) {
    this.digest = token === undefined ? null : sha256(token);
  }

  get requiresToken(): boolean {
    return this.digest !== null;
  }

  check(req: IncomingMessage, url: URL): Refusal {
    if (this.digest === null) {
      const host = req.headers.host;
      if (host !== undefined && !isLoopbackHost(hostOnly(host))) {
        return {
          status: 403,
          error: 'forbidden host',
          hint: 'without a token the monitor answers only requests addressed to a loopback name',
        };
      }
      return null;
    }
    const given = presentedToken(req, url);
    if (given !== null && timingSafeEqual(sha256(given), this.digest)) return null;
    return {
      status: 401,
      error: 'unauthorized',
      hint: 'pass the monitor token as "Authorization: Bearer <token>" or as ?token=<token>',
    };
  }
}

/** A WebSocket upgrade from a page of another origin is refused whatever its credentials. */
export function crossOrigin(req: IncomingMessage): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return false; // not a browser: nothing to hijack
  const host = req.headers.host;
  try {
    return host === undefined || new URL(origin).host.toLowerCase() !== host.toLowerCase();
  } catch {
    return true;
  }
}

function presentedToken(req: IncomingMessage, url: URL): string | null {
  const header = req.headers.authorization;
  if (header !== undefined) {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (m) return m[1];
  }
  return url.searchParams.get('token');
}

/**
 * `host:port`, `[v6]:port` or a bare host → the host part. After `]` only a port may follow:
 * otherwise `[::1].evil.example` would pass for loopback; such a Host yields '' (not loopback).
 */
function hostOnly(hostHeader: string): string {
  const h = hostHeader.trim();
  if (h.startsWith('[')) {
    const end = h.indexOf(']');
    return end > 0 && /^(:\d+)?$/.test(h.slice(end + 1)) ? h.slice(0, end + 1) : '';
  }
  const colon = h.lastIndexOf(':');
  return colon >= 0 && h.indexOf(':') === colon ? h.slice(0, colon) : h;
}

// Comparing digests keeps the comparison constant-time whatever the presented length.
function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}
