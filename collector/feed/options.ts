/**
 * Feed options: what a caller (the CLI, the harness, a test) may say, and the resolved form with
 * every default filled in. Defaults live here and nowhere else.
 */

import { usageError } from '../../common/errors.js';
import type { BookFamily } from '../books/types.js';
import { type Channel, DEFAULT_PORTS } from '../protocol/channel.js';
import {
  COLLECTOR_UPDATE_FIELDS,
  isUpdateFieldName,
  normalizeUpdateFields,
  UPDATE_FIELDS,
} from '../protocol/fields.js';
import { DEFAULT_MAX_LINE_BYTES } from '../protocol/framing.js';

/** Which L2 watch a symbol gets: `WPL` by price, `WOR` by order, legacy `w` by market maker. */
export type L2Family = BookFamily;

export const L2_FAMILIES: readonly L2Family[] = ['mbp', 'mbo', 'mm'];

export interface BackoffPolicy {
  /** Delay before the first retry. */
  readonly initialMs: number;
  /** No delay is longer than this. */
  readonly maxMs: number;
  /** Each failed attempt multiplies the delay by this. */
  readonly factor: number;
  /** Share of the delay drawn at random and taken off (0.3: between 70 % and 100 % of it). */
  readonly jitter: number;
}

/** IQConnect login and product registration, sent on the admin port only when given. */
export interface IqfeedLogin {
  readonly productId?: string;
  readonly productVersion?: string;
  readonly loginId?: string;
  /** Sent as `S,SET PASSWORD`; never logged, never in an error, event or status. */
  readonly password?: string;
}

export interface FeedOptionsInput {
  readonly host?: string;
  readonly ports?: Partial<Record<Channel, number>>;
  readonly symbols: readonly string[];
  /** One family for every symbol, or one per symbol (missing ones get `mbp`). */
  readonly family?: L2Family | Readonly<Record<string, L2Family>>;
  /** Book depth kept by the collector (levels per side in an L2 record). */
  readonly depth?: number;
  /**
   * Send `WPL,<sym>,<n>` (IQConnect caps the levels it sends) instead of `WPL,<sym>`. Off by
   * default: see `FeedOptions.maxPriceLevels`.
   */
  readonly maxPriceLevels?: number | null;
  readonly l1Fields?: readonly string[];
  readonly clientName?: string;
  readonly protocol?: string;
  /** Connect the admin port for IQConnect's status (`S,STATS`). */
  readonly admin?: boolean;
  readonly iqfeed?: IqfeedLogin;
  readonly backoff?: Partial<BackoffPolicy>;
  readonly staleMs?: number;
  readonly serverReconnectTimeoutMs?: number;
  readonly connectTimeoutMs?: number;
  readonly stopGraceMs?: number;
  /** Longest line kept whole; a longer one is journaled as pieces of this size (framing.ts). */
  readonly maxLineBytes?: number;
}

export interface FeedOptions {
  readonly host: string;
  readonly ports: Readonly<Record<Channel, number>>;
  /** Upper-cased, deduplicated, in the order given: the order watches are sent in. */
  readonly symbols: readonly string[];
  readonly family: Readonly<Record<string, L2Family>>;
  /**
   * Levels per side the collector's books report (default 10). The feed does not send it to
   * IQConnect: the `WPL` level cap appears only in an unmerged client pull request
   * (IQFEED-PROTOCOL.md §6.1), so what IQConnect does with it (whether it refills the cap from
   * deeper levels when a top level goes, whether an older IQConnect rejects the watch) is
   * unknown, while a full book trimmed by the collector is exact whatever IQConnect does.
   */
  readonly depth: number;
  /** When set, `WPL,<sym>,<n>` is sent (for an IQConnect known to honour it); default null. */
  readonly maxPriceLevels: number | null;
  /** `Symbol` first (IQConnect forces it there anyway). */
  readonly l1Fields: readonly string[];
  readonly clientName: string;
  readonly protocol: string;
  readonly admin: boolean;
  readonly iqfeed: IqfeedLogin;
  readonly backoff: BackoffPolicy;
  readonly staleMs: number;
  readonly serverReconnectTimeoutMs: number;
  /** A connect attempt that has not completed after this long is abandoned and retried. */
  readonly connectTimeoutMs: number;
  /** `stop()` waits this long for IQConnect to close after our FIN, then destroys the socket. */
  readonly stopGraceMs: number;
  readonly maxLineBytes: number;
}

/** The Level 1 fields the collector selects (collector/protocol/fields.ts). */
export const DEFAULT_L1_FIELDS: readonly string[] = COLLECTOR_UPDATE_FIELDS;

export const FEED_DEFAULTS = {
  host: '127.0.0.1',
  family: 'mbp' as L2Family,
  depth: 10,
  clientName: 'l2h-collector',
  protocol: '6.2',
  admin: true,
  backoff: { initialMs: 200, maxMs: 10_000, factor: 2, jitter: 0.3 } satisfies BackoffPolicy,
  // IQConnect sends `T` every second on L1 and L2: five missed in a row is not a quiet market.
  staleMs: 5000,
  serverReconnectTimeoutMs: 30_000,
  connectTimeoutMs: 5000,
  stopGraceMs: 2000,
  maxLineBytes: DEFAULT_MAX_LINE_BYTES,
} as const;

const CHANNELS: readonly Channel[] = ['L1', 'L2', 'ADMIN'];

export function resolveFeedOptions(input: FeedOptionsInput): FeedOptions {
  const symbols = resolveSymbols(input.symbols);
  const host = (input.host ?? FEED_DEFAULTS.host).trim();
  if (host === '') throw usageError('feed host must not be empty', 'e.g. --host 127.0.0.1');
  const ports: Record<Channel, number> = { ...DEFAULT_PORTS };
  for (const ch of CHANNELS) {
    const p = input.ports?.[ch];
    if (p === undefined) continue;
    if (!Number.isInteger(p) || p < 1 || p > 65535) {
      throw usageError(`feed port for ${ch} must be an integer 1–65535, got ${String(p)}`);
    }
    ports[ch] = p;
  }
  const maxPriceLevels = input.maxPriceLevels ?? null;
  if (maxPriceLevels !== null) positiveInteger(maxPriceLevels, 'maxPriceLevels');
  return {
    host,
    ports,
    symbols,
    family: resolveFamilies(symbols, input.family),
    depth: positiveInteger(input.depth ?? FEED_DEFAULTS.depth, 'depth'),
    maxPriceLevels,
    l1Fields: resolveL1Fields(input.l1Fields ?? DEFAULT_L1_FIELDS),
    clientName: plainText(input.clientName ?? FEED_DEFAULTS.clientName, 'clientName'),
    protocol: resolveProtocol(input.protocol ?? FEED_DEFAULTS.protocol),
    admin: input.admin ?? FEED_DEFAULTS.admin,
    iqfeed: resolveLogin(input.iqfeed ?? {}),
    backoff: resolveBackoff(input.backoff ?? {}),
    staleMs: positiveInteger(input.staleMs ?? FEED_DEFAULTS.staleMs, 'staleMs'),
    serverReconnectTimeoutMs: positiveInteger(
      input.serverReconnectTimeoutMs ?? FEED_DEFAULTS.serverReconnectTimeoutMs,
      'serverReconnectTimeoutMs',
    ),
    connectTimeoutMs: positiveInteger(
      input.connectTimeoutMs ?? FEED_DEFAULTS.connectTimeoutMs,
      'connectTimeoutMs',
    ),
    stopGraceMs: positiveInteger(input.stopGraceMs ?? FEED_DEFAULTS.stopGraceMs, 'stopGraceMs'),
    maxLineBytes: positiveInteger(input.maxLineBytes ?? FEED_DEFAULTS.maxLineBytes, 'maxLineBytes'),
  };
}

function resolveSymbols(input: readonly string[]): string[] {
  const out: string[] = [];
  for (const raw of input) {
    // Every reference client upper-cases symbols; whether IQConnect is case-sensitive is unknown.
    const s = raw.trim().toUpperCase();
    if (s === '' || /[\s,]/.test(s)) {
      throw usageError(
        `bad symbol ${JSON.stringify(raw)}: a symbol is one word without commas`,
        'e.g. --symbols AAPL,MSFT',
      );
    }
    if (!out.includes(s)) out.push(s);
  }
  if (out.length === 0) throw usageError('the feed needs at least one symbol', 'e.g. --symbols AAPL,MSFT');
  return out;
}

function checkFamily(f: string, where: string): L2Family {
  const family = L2_FAMILIES.find((x) => x === f);
  if (!family)
    throw usageError(`unknown L2 family ${JSON.stringify(f)} ${where}: expected ${L2_FAMILIES.join(', ')}`);
  return family;
}

function resolveFamilies(
  symbols: readonly string[],
  family: FeedOptionsInput['family'],
): Readonly<Record<string, L2Family>> {
  const out: Record<string, L2Family> = {};
  if (typeof family === 'string' || family === undefined) {
    const f = checkFamily(family ?? FEED_DEFAULTS.family, 'for every symbol');
    for (const s of symbols) out[s] = f;
    return out;
  }
  const given = new Map<string, L2Family>();
  for (const [sym, f] of Object.entries(family)) {
    const s = sym.trim().toUpperCase();
    if (!symbols.includes(s)) {
      throw usageError(
        `L2 family given for ${JSON.stringify(sym)}, which is not among the symbols (${symbols.join(',')})`,
      );
    }
    given.set(s, checkFamily(f, `for ${s}`));
  }
  for (const s of symbols) out[s] = given.get(s) ?? FEED_DEFAULTS.family;
  return out;
}

function resolveL1Fields(fields: readonly string[]): readonly string[] {
  for (const f of fields) {
    if (!isUpdateFieldName(f)) {
      throw usageError(
        `unknown Level 1 field ${JSON.stringify(f)}`,
        `field names are IQConnect's, e.g. ${UPDATE_FIELDS.slice(0, 4)
          .map((x) => x.name)
          .join(', ')} (the full list: S,REQUEST ALL UPDATE FIELDNAMES)`,
      );
    }
  }
  const unique = [...new Set(fields)];
  return normalizeUpdateFields(unique);
}

function resolveProtocol(p: string): string {
  if (!/^\d+\.\d+$/.test(p)) throw usageError(`protocol must look like 6.2, got ${JSON.stringify(p)}`);
  return p;
}

function resolveBackoff(b: Partial<BackoffPolicy>): BackoffPolicy {
  const d = FEED_DEFAULTS.backoff;
  const initialMs = positiveNumber(b.initialMs ?? d.initialMs, 'backoff.initialMs');
  const maxMs = positiveNumber(b.maxMs ?? d.maxMs, 'backoff.maxMs');
  if (maxMs < initialMs)
    throw usageError(`backoff.maxMs (${maxMs}) must not be below backoff.initialMs (${initialMs})`);
  const factor = b.factor ?? d.factor;
  if (!Number.isFinite(factor) || factor < 1)
    throw usageError(`backoff.factor must be a number ≥ 1, got ${factor}`);
  const jitter = b.jitter ?? d.jitter;
  if (!Number.isFinite(jitter) || jitter < 0 || jitter > 1) {
    throw usageError(`backoff.jitter must be between 0 and 1, got ${jitter}`);
  }
  return { initialMs, maxMs, factor, jitter };
}

function resolveLogin(login: IqfeedLogin): IqfeedLogin {
  const out: { -readonly [K in keyof IqfeedLogin]: string } = {};
  if (login.productId !== undefined) out.productId = plainText(login.productId, 'iqfeed.productId');
  if (login.productVersion !== undefined) {
    if (login.productId === undefined) throw usageError('iqfeed.productVersion needs iqfeed.productId');
    out.productVersion = plainText(login.productVersion, 'iqfeed.productVersion');
  }
  if (login.loginId !== undefined) out.loginId = plainText(login.loginId, 'iqfeed.loginId');
  if (login.password !== undefined) {
    // Commas are allowed (the password is the command's last field); the value is never quoted
    // in the error.
    if (login.password === '' || /[\r\n]/.test(login.password)) {
      throw usageError('iqfeed.password must be non-empty and hold no line break (value not shown)');
    }
    out.password = login.password;
  }
  return out;
}

/** A value that goes into a command field: no comma, no line break. */
function plainText(value: string, name: string): string {
  if (value === '' || /[,\r\n]/.test(value)) {
    throw usageError(`${name} must be non-empty with no comma or line break, got ${JSON.stringify(value)}`);
  }
  return value;
}

function positiveInteger(n: number, name: string): number {
  if (!Number.isInteger(n) || n < 1) throw usageError(`${name} must be a positive integer, got ${String(n)}`);
  return n;
}

function positiveNumber(n: number, name: string): number {
  if (!Number.isFinite(n) || n <= 0) throw usageError(`${name} must be a positive number, got ${String(n)}`);
  return n;
}
