import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { errorMessage, L2hError } from '../../common/errors.js';
import { redactUrl } from '../../common/logger.js';

interface Endpoint {
  readonly origin: string;
  readonly headers: Record<string, string>;
  readonly database: string;
}

/**
 * Credentials go in a header and the database in a parameter:
 * split `http://user:pass@host:8123/db` into what a request needs.
 */
function endpoint(url: string): Endpoint {
  let u: URL;
  try {
    u = new URL(url);
  } catch (err) {
    throw new L2hError(`Not a ClickHouse URL: ${redactUrl(url)}`, {
      code: 'BAD_USAGE',
      cause: err,
      hint: 'use http://[user:password@]host:port[/database]',
    });
  }
  const headers: Record<string, string> = {};
  if (u.username || u.password) {
    const user = decodeURIComponent(u.username || 'default');
    const credentials = `${user}:${decodeURIComponent(u.password)}`;
    headers.Authorization = `Basic ${Buffer.from(credentials).toString('base64')}`;
  }
  const database = decodeURIComponent(u.pathname.replace(/^\/+|\/+$/g, ''));
  return { origin: `${u.protocol}//${u.host}`, headers, database };
}

interface Reply {
  readonly status: number;
  readonly body: string;
}

/**
 * One request on a fresh connection that is closed afterwards (`agent: false`). A pooled
 * keep-alive socket would hold a server's SIGTERM for up to its keep_alive_timeout.
 */
function request(
  url: URL,
  method: 'GET' | 'POST',
  headers: Record<string, string>,
  body: string,
  timeoutMs: number,
): Promise<Reply> {
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(url, { method, headers, agent: false, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}

/** True when the server answers GET /ping with "Ok.". Network errors are false, not thrown. */
export async function clickhousePing(url: string, timeoutMs: number): Promise<boolean> {
  const { origin } = endpoint(url);
  try {
    const reply = await request(new URL('/ping', origin), 'GET', {}, '', timeoutMs);
    return reply.status === 200 && reply.body.startsWith('Ok.');
  } catch {
    return false;
  }
}

/** Run one statement over HTTP and return the body text; throws IO with the server's message. */
export async function clickhouseQuery(url: string, sql: string, timeoutMs: number): Promise<string> {
  const { origin, headers, database } = endpoint(url);
  const target = new URL('/', origin);
  if (database) target.searchParams.set('database', database);
  let reply: Reply;
  try {
    reply = await request(target, 'POST', headers, sql, timeoutMs);
  } catch (err) {
    throw new L2hError(`ClickHouse at ${redactUrl(url)} did not answer: ${errorMessage(err)}`, {
      code: 'SERVICE_UNAVAILABLE',
      retriable: true,
      cause: err,
      context: { url: redactUrl(url) },
    });
  }
  if (reply.status !== 200) {
    throw new L2hError(`ClickHouse at ${redactUrl(url)} rejected "${sql}": ${reply.body.trim()}`, {
      code: 'IO',
      context: { url: redactUrl(url), status: reply.status },
    });
  }
  return reply.body;
}

export async function clickhouseVersion(url: string, timeoutMs: number): Promise<string> {
  return (await clickhouseQuery(url, 'SELECT version()', timeoutMs)).trim();
}
