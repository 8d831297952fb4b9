/**
 * The fault spec: what `--faults SPEC` (a JSON file or inline JSON) and a scenario may ask the
 * simulator to do to its output, and where. Parsing checks every field and names the fault and
 * the field it dislikes; nothing here touches a socket.
 *
 * ```json
 * { "seed": 7,
 *   "faults": [
 *     { "kind": "drop", "channel": "L2", "at": { "line": 1200 } },
 *     { "kind": "split", "channel": "L2", "symbol": "AAPL", "at": { "line": 40 }, "byte": 61 },
 *     { "kind": "outage", "channel": "L1", "at": { "timeMs": 90000 }, "ms": 2000 } ],
 *   "random": [
 *     { "kinds": ["close", "reset"], "channels": ["L1", "L2"], "count": 50,
 *       "lines": [1000, 900000] } ] }
 * ```
 *
 * `at.line` counts the lines the simulator offered on that channel (over all of its
 * connections, from 0), or, with `symbol`, the lines about that symbol on that channel.
 * `at.timeMs` is simulated time since the tape's time base. A fault fires once, on the first
 * matching line at or after its point; a fault that ends the connection (close, reset, outage)
 * waits for a data line (one about a symbol) on L1/L2, so it hits a connection that is set up,
 * and that line is lost with the connection. Faults due on a line another fault already took
 * fire on the next line of the same count (the symbol's, when they name one).
 */
import { readFile } from 'node:fs/promises';
import { CHANNELS, type Channel } from '../../collector/protocol/channel.js';
import { L2hError } from '../../common/errors.js';

/** Change, replace or add to the one line the fault fires on. */
export const LINE_FAULTS = [
  'drop', // the line is not sent
  'duplicate', // the line is sent twice
  'corrupt', // one comma-separated field replaced by junk
  'truncate', // the line cut short (still terminated)
  'split', // the line handed to the socket in two writes, cut at any byte (inside CRLF too)
] as const;

/** Lines put before the line the fault fires on (which then goes out unchanged). */
export const INSERT_FAULTS = [
  'garbage', // printable junk
  'binary', // arbitrary bytes (none is LF; no trailing CR), e.g. NUL, 0xFF
  'oversized', // one very long line (1 MiB by default)
  'time-backwards', // a `T,` line earlier than the last one sent
  'unknown-type', // a line of a message type IQFeed does not have
] as const;

/**
 * The connection itself: held, closed, or IQConnect gone for a while. close, reset and outage
 * model IQConnect dropping the client: the line they fire on was in flight to it and is lost
 * (no connection ever gets it); the lines after it go to the next connection, if any.
 */
export const CONNECTION_FAULTS = [
  'stall', // output held for `ms` (it falls behind, then catches up from the tape: nothing lost)
  'full-buffer', // a slow consumer's send buffer full for `ms` (output held, as for `stall`)
  'close', // FIN instead of the line (everything queued before it is delivered)
  'reset', // RST instead of the line (what the kernel still held for the peer is lost with it)
  'outage', // `S,SERVER DISCONNECTED` and FIN instead of the line, then the channel refused for `ms`
] as const;

export type LineFaultKind = (typeof LINE_FAULTS)[number];
export type InsertFaultKind = (typeof INSERT_FAULTS)[number];
export type ConnectionFaultKind = (typeof CONNECTION_FAULTS)[number];
export type FaultKind = LineFaultKind | InsertFaultKind | ConnectionFaultKind;

export const FAULT_KINDS: readonly FaultKind[] = [...LINE_FAULTS, ...INSERT_FAULTS, ...CONNECTION_FAULTS];

/** Where a fault fires: the n-th matching line (from 0), or simulated ms since the time base. */
export type FaultPoint = { readonly line: number } | { readonly timeMs: number };

export interface FaultDef {
  readonly kind: FaultKind;
  readonly channel: Channel;
  /** Count and match only lines about this symbol. */
  readonly symbol?: string;
  readonly at: FaultPoint;
  /** stall, full-buffer, outage: how long (clock ms). */
  readonly ms?: number;
  /** split: where to cut the line with its terminator (0 < byte < length); default seeded. */
  readonly byte?: number;
  /**
   * truncate: bytes kept (≥ 1; past the line's end, length − 1); default seeded. 0 is refused:
   * an empty line frames as nothing, so the fault would be an unreported drop.
   */
  readonly keep?: number;
  /**
   * corrupt: the field index (0 = type; past the last field, the last); default seeded among the
   * fields after the type. The empty slot after a line's trailing comma is not a field.
   */
  readonly field?: number;
  /** garbage, binary, oversized: line length in bytes. */
  readonly bytes?: number;
  /** time-backwards: how far back (simulated ms). Default 60000. */
  readonly backMs?: number;
}

/** Faults drawn from the seed: `count` of `kinds` spread over a line or time window. */
export interface RandomFaults {
  readonly kinds: readonly FaultKind[];
  readonly channels: readonly Channel[];
  readonly count: number;
  /** [from, to) in channel line counts; or `timeMs` [from, to). Exactly one. */
  readonly lines?: readonly [number, number];
  readonly timeMs?: readonly [number, number];
  readonly symbols?: readonly string[];
  readonly ms?: number;
  readonly bytes?: number;
}

export interface FaultSpec {
  /** Seeds every random choice of the faults (default: the simulator's --seed). */
  readonly seed?: number;
  readonly faults?: readonly FaultDef[];
  readonly random?: readonly RandomFaults[];
}

export const FAULT_DEFAULTS = {
  stallMs: 500,
  outageMs: 2000,
  garbageBytes: 64,
  oversizedBytes: 1024 * 1024,
  backMs: 60_000,
} as const;

/** The most a stall or outage may last, and the longest line a fault may write. */
const MAX_MS = 10 * 60_000;
const MAX_BYTES = 64 * 1024 * 1024;

/** `--faults` text: inline JSON when it starts with `{`, else a file holding it. */
export async function loadFaultSpec(text: string): Promise<FaultSpec> {
  const trimmed = text.trim();
  if (trimmed.startsWith('{')) return parseFaultSpec(trimmed, 'inline --faults');
  let body: string;
  try {
    body = await readFile(trimmed, 'utf8');
  } catch (err) {
    throw new L2hError(`cannot read the fault spec ${trimmed}`, {
      code: 'BAD_INPUT',
      cause: err,
      context: { file: trimmed },
      hint: 'pass a JSON file, or inline JSON starting with {',
    });
  }
  return parseFaultSpec(body, trimmed);
}

export function parseFaultSpec(text: string, source: string): FaultSpec {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new L2hError(`the fault spec is not JSON: ${(err as Error).message}`, {
      code: 'BAD_INPUT',
      context: { source },
    });
  }
  return checkFaultSpec(raw, source);
}

/** A parsed JSON value (or a caller's object) → a checked spec, or an error naming what is wrong. */
export function checkFaultSpec(raw: unknown, source: string): FaultSpec {
  const o = object(raw, 'the fault spec', source);
  allowOnly(o, ['seed', 'faults', 'random'], 'the fault spec', source);
  const seed = o['seed'] === undefined ? undefined : integer(o['seed'], 'seed', source, 0);
  const faults = list(o['faults'], 'faults', source).map((f, i) => checkFault(f, `faults[${i}]`, source));
  const random = list(o['random'], 'random', source).map((r, i) => checkRandom(r, `random[${i}]`, source));
  return { ...(seed !== undefined ? { seed } : {}), faults, random };
}

const FAULT_KEYS = ['kind', 'channel', 'symbol', 'at', 'ms', 'byte', 'keep', 'field', 'bytes', 'backMs'];

function checkFault(raw: unknown, where: string, source: string): FaultDef {
  const o = object(raw, where, source);
  allowOnly(o, FAULT_KEYS, where, source);
  const kind = faultKind(o['kind'], `${where}.kind`, source);
  const channel = channelOf(o['channel'], `${where}.channel`, source);
  const at = point(o['at'], `${where}.at`, source);
  const f: Record<string, unknown> = { kind, channel, at };
  if (o['symbol'] !== undefined) f['symbol'] = symbolOf(o['symbol'], `${where}.symbol`, source);
  for (const [key, min, max] of [
    ['ms', 1, MAX_MS],
    ['byte', 1, MAX_BYTES],
    ['keep', 1, MAX_BYTES],
    ['field', 0, 1000],
    ['bytes', 1, MAX_BYTES],
    ['backMs', 1, 86_400_000],
  ] as const) {
    if (o[key] !== undefined) f[key] = integer(o[key], `${where}.${key}`, source, min, max);
  }
  return f as unknown as FaultDef;
}

function checkRandom(raw: unknown, where: string, source: string): RandomFaults {
  const o = object(raw, where, source);
  allowOnly(o, ['kinds', 'channels', 'count', 'lines', 'timeMs', 'symbols', 'ms', 'bytes'], where, source);
  const kinds = list(o['kinds'], `${where}.kinds`, source).map((k, i) =>
    faultKind(k, `${where}.kinds[${i}]`, source),
  );
  const channels = list(o['channels'], `${where}.channels`, source).map((c, i) =>
    channelOf(c, `${where}.channels[${i}]`, source),
  );
  if (kinds.length === 0) throw bad(`${where}.kinds names no fault kind`, source, FAULT_KINDS.join(', '));
  if (channels.length === 0) throw bad(`${where}.channels names no channel`, source, CHANNELS.join(', '));
  const count = integer(o['count'], `${where}.count`, source, 1, 1_000_000);
  if ((o['lines'] === undefined) === (o['timeMs'] === undefined)) {
    throw bad(`${where} needs exactly one window: "lines": [from, to] or "timeMs": [from, to]`, source);
  }
  const r: Record<string, unknown> = { kinds, channels, count };
  if (o['lines'] !== undefined) r['lines'] = windowOf(o['lines'], `${where}.lines`, source);
  if (o['timeMs'] !== undefined) r['timeMs'] = windowOf(o['timeMs'], `${where}.timeMs`, source);
  if (o['symbols'] !== undefined) {
    r['symbols'] = list(o['symbols'], `${where}.symbols`, source).map((s, i) =>
      symbolOf(s, `${where}.symbols[${i}]`, source),
    );
  }
  if (o['ms'] !== undefined) r['ms'] = integer(o['ms'], `${where}.ms`, source, 1, MAX_MS);
  if (o['bytes'] !== undefined) r['bytes'] = integer(o['bytes'], `${where}.bytes`, source, 1, MAX_BYTES);
  return r as unknown as RandomFaults;
}

function windowOf(raw: unknown, where: string, source: string): readonly [number, number] {
  const l = list(raw, where, source);
  if (l.length !== 2) throw bad(`${where} must be [from, to]`, source);
  const from = integer(l[0], `${where}[0]`, source, 0);
  const to = integer(l[1], `${where}[1]`, source, from + 1);
  return [from, to];
}

function point(raw: unknown, where: string, source: string): FaultPoint {
  const o = object(raw, where, source);
  allowOnly(o, ['line', 'timeMs'], where, source);
  if ((o['line'] === undefined) === (o['timeMs'] === undefined)) {
    throw bad(`${where} needs exactly one of "line" or "timeMs"`, source, 'e.g. "at": { "line": 1200 }');
  }
  return o['line'] !== undefined
    ? { line: integer(o['line'], `${where}.line`, source, 0) }
    : { timeMs: integer(o['timeMs'], `${where}.timeMs`, source, 0) };
}

function faultKind(raw: unknown, where: string, source: string): FaultKind {
  const k = FAULT_KINDS.find((x) => x === raw);
  if (k === undefined)
    throw bad(`${where} is ${JSON.stringify(raw)}, not a fault kind`, source, FAULT_KINDS.join(', '));
  return k;
}

function channelOf(raw: unknown, where: string, source: string): Channel {
  const c = CHANNELS.find((x) => x === raw);
  if (c === undefined)
    throw bad(`${where} is ${JSON.stringify(raw)}, not a channel`, source, CHANNELS.join(', '));
  return c;
}

function symbolOf(raw: unknown, where: string, source: string): string {
  if (typeof raw !== 'string' || raw.trim() === '' || raw.includes(',')) {
    throw bad(`${where} must be a symbol such as "AAPL", got ${JSON.stringify(raw)}`, source);
  }
  return raw.trim().toUpperCase();
}

function object(raw: unknown, where: string, source: string): Record<string, unknown> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw bad(`${where} must be a JSON object`, source);
  return raw as Record<string, unknown>;
}

function list(raw: unknown, where: string, source: string): readonly unknown[] {
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) throw bad(`${where} must be a JSON array`, source);
  return raw;
}

function integer(
  raw: unknown,
  where: string,
  source: string,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): number {
  if (typeof raw !== 'number' || !Number.isInteger(raw) || raw < min || raw > max) {
    throw bad(`${where} must be a whole number ${min}–${max}, got ${JSON.stringify(raw)}`, source);
  }
  return raw;
}

function allowOnly(o: Record<string, unknown>, keys: readonly string[], where: string, source: string): void {
  for (const k of Object.keys(o)) {
    if (!keys.includes(k))
      throw bad(`${where} has an unknown key ${JSON.stringify(k)}`, source, `accepted: ${keys.join(', ')}`);
  }
}

function bad(message: string, source: string, accepted?: string): L2hError {
  return new L2hError(`fault spec: ${message}`, {
    code: 'BAD_INPUT',
    context: { source },
    hint:
      accepted === undefined
        ? undefined
        : accepted.startsWith('accepted') || accepted.startsWith('e.g.')
          ? accepted
          : `accepted: ${accepted}`,
  });
}
