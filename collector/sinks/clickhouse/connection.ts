/**
 * A ClickHouse URL (`http[s]://[user[:password]@]host:port[/database]`) → a client, shared by the
 * sink and its read-back so both understand the same URL. The password never leaves this module
 * except inside the client: what is printed is `redacted`.
 */
import { type ClickHouseClient, ClickHouseLogLevel, createClient } from '@clickhouse/client';
import { L2hError } from '../../../common/errors.js';
import { redactUrl } from '../../../common/logger.js';
import { isIdentifier } from './schema.js';

export interface ClickHouseEndpoint {
  /** `http://host:port`, no credentials and no path. */
  readonly origin: string;
  readonly username: string;
  readonly password: string;
  /** The database named in the URL's path, if any. */
  readonly database: string | null;
  /** The URL as it may be printed. */
  readonly redacted: string;
}

export function parseClickHouseUrl(url: string): ClickHouseEndpoint {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new L2hError(`ClickHouse URL ${JSON.stringify(redactUrl(url))} is not a URL`, {
      code: 'BAD_USAGE',
      hint: 'e.g. http://127.0.0.1:8123 or http://user:password@host:8123/database',
    });
  }
  const redacted = redactUrl(url);
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    throw new L2hError(`ClickHouse URL ${redacted} must be http:// or https:// (the HTTP interface)`, {
      code: 'BAD_USAGE',
      hint: 'the HTTP port is 8123 by default; the native port 9000 is not supported',
    });
  }
  const path = decodeURIComponent(u.pathname.replace(/^\/+|\/+$/g, ''));
  if (path !== '' && !isIdentifier(path)) {
    throw new L2hError(`the path of ClickHouse URL ${redacted} is not a database name`, {
      code: 'BAD_USAGE',
      hint: 'a database name is letters, digits and _ (not starting with a digit)',
    });
  }
  return {
    origin: `${u.protocol}//${u.host}`,
    username: u.username === '' ? 'default' : decodeURIComponent(u.username),
    password: decodeURIComponent(u.password),
    database: path === '' ? null : path,
    redacted,
  };
}

export interface ClientOptions {
  readonly requestTimeoutMs?: number;
  /** gzip request bodies (inserts). */
  readonly compressRequests?: boolean;
}

/** A client that logs nothing itself: callers classify and log failures. */
export function clickhouseClient(
  endpoint: ClickHouseEndpoint,
  options: ClientOptions = {},
): ClickHouseClient {
  return createClient({
    url: endpoint.origin,
    username: endpoint.username,
    password: endpoint.password,
    request_timeout: options.requestTimeoutMs ?? 30_000,
    compression: { request: options.compressRequests ?? false, response: false },
    application: 'l2h',
    log: { level: ClickHouseLogLevel.OFF },
  });
}
