import {
  ADMIN_ACKS,
  type AdminAck,
  decodeAdminAck,
  decodeClientStats,
  decodeCurrentLoginId,
  decodeCurrentPassword,
  decodeStats,
} from './admin-messages.js';
import type { Channel } from './channel.js';
import { decodeErrorMessage, decodeSymbolNotFound, decodeTimestamp } from './common-messages.js';
import { type DecodeError, decodeError, isDecodeError } from './decode-error.js';
import { DEFAULT_UPDATE_FIELDS, type FieldSpec } from './fields.js';
import {
  decodeFundamental,
  decodeNews,
  decodeRegional,
  decodeTradeCorrection,
  decodeUpdate,
  fundamentalLayout,
  UpdateLayout,
} from './l1-messages.js';
import {
  decodeDeprecated,
  decodeLegacyMarketMaker,
  decodeMarketMaker,
  decodeMarketMakerName,
  decodeNoDepth,
  decodeOrder,
  decodeOrderDelete,
  decodePriceLevel,
  decodePriceLevelDelete,
} from './l2-messages.js';
import type {
  AdminMessage,
  AdminSystemMessage,
  L1Message,
  L1SystemMessage,
  L2Message,
  L2SystemMessage,
  ServerMessage,
} from './messages.js';
import { FieldReader } from './scan.js';
import {
  decodeClearDepth,
  decodeCurrentProtocol,
  decodeCustomer,
  decodeFieldNames,
  decodeIp,
  decodeKey,
  decodeLogLevels,
  decodeSymbolLimit,
  decodeWatches,
  type ServerStatus,
  type SystemFlagMessage,
  systemFlag,
} from './system-messages.js';

/**
 * One decoder per connection and port. `decode(line)` takes a line without its terminator and
 * returns the message or a DecodeError; it never throws, whatever the input. The L1 decoder
 * keeps the state that changes how later lines read: the Q/P field list
 * (`S,CURRENT UPDATE FIELDNAMES`) and the protocol version (`S,CURRENT PROTOCOL`, which picks
 * the F layout).
 */
export interface Decoder<M extends ServerMessage = ServerMessage> {
  readonly channel: Channel;
  decode(line: string): M | DecodeError;
}

/** Start of `expected` in the DecodeError of a decoder bug (never of bad input). */
export const INTERNAL_FAULT = 'a decodable line (internal decoder fault:';

type SystemDecoder<M> = (r: FieldReader) => M | DecodeError;

function flag<K extends string>(keyword: K): () => SystemFlagMessage<K> {
  const m = systemFlag(keyword);
  return () => m;
}

const SERVER_STATUS: readonly ServerStatus[] = [
  'SERVER CONNECTED',
  'SERVER DISCONNECTED',
  'SERVER RECONNECT FAILED',
];

const L1_SYSTEM = new Map<string, SystemDecoder<L1SystemMessage>>([
  ...SERVER_STATUS.map((k) => [k, flag(k)] as const),
  ['KEY', decodeKey],
  ['KEYOK', flag('KEYOK')],
  ['IP', decodeIp],
  ['CUST', decodeCustomer],
  ['CURRENT PROTOCOL', decodeCurrentProtocol],
  ['CURRENT UPDATE FIELDNAMES', (r) => decodeFieldNames(r, 'CURRENT UPDATE FIELDNAMES')],
  ['UPDATE FIELDNAMES', (r) => decodeFieldNames(r, 'UPDATE FIELDNAMES')],
  ['FUNDAMENTAL FIELDNAMES', (r) => decodeFieldNames(r, 'FUNDAMENTAL FIELDNAMES')],
  ['WATCHES', decodeWatches],
  ['CURRENT LOG LEVELS', decodeLogLevels],
  ['SYMBOL LIMIT REACHED', decodeSymbolLimit],
  ['STATS', decodeStats],
]);

const L2_SYSTEM = new Map<string, SystemDecoder<L2SystemMessage>>([
  ...SERVER_STATUS.map((k) => [k, flag(k)] as const),
  ['CURRENT PROTOCOL', decodeCurrentProtocol],
  ['CLEAR DEPTH', decodeClearDepth],
  // IQConnect answers `S,REQUEST WATCHES` on the depth port too (the simulator does).
  ['WATCHES', decodeWatches],
  ['SYMBOL LIMIT REACHED', decodeSymbolLimit],
]);

const ADMIN_SYSTEM = new Map<string, SystemDecoder<AdminSystemMessage>>([
  ['STATS', decodeStats],
  ['CLIENTSTATS', decodeClientStats],
  ...ADMIN_ACKS.map((k: AdminAck) => [k, () => decodeAdminAck(k)] as const),
  ['CURRENT LOGINID', decodeCurrentLoginId],
  ['CURRENT PASSWORD', decodeCurrentPassword],
  ['CURRENT PROTOCOL', decodeCurrentProtocol],
]);

function decodeSystem<M>(r: FieldReader, table: ReadonlyMap<string, SystemDecoder<M>>): M | DecodeError {
  const keyword = r.required('System Type', 'a system message keyword');
  if (r.error !== null) return r.error;
  const decode = table.get(keyword);
  if (decode === undefined) {
    r.fail('System Type', `one of ${[...table.keys()].join(', ')}`, keyword);
    return r.error!;
  }
  return decode(r);
}

/**
 * The type character of a line, or -1 when the first field is not one character (empty line,
 * `LH,…`, binary junk). Fields start after `X,`.
 */
function typeCode(line: string): number {
  if (line.length === 0) return -1;
  if (line.length > 1 && line.charCodeAt(1) !== 44) return -1;
  return line.charCodeAt(0);
}

function badType(channel: Channel, line: string, expected: string): DecodeError {
  const comma = line.indexOf(',');
  return decodeError(channel, line, 'Type', 0, expected, comma < 0 ? line : line.slice(0, comma));
}

function internalFault(channel: Channel, line: string, err: unknown): DecodeError {
  const what = err instanceof Error ? err.message : String(err);
  return decodeError(channel, line, null, null, `${INTERNAL_FAULT} ${what})`, null);
}

export interface L1DecoderOptions {
  /** The Q/P field list in force at the start (default: the 16-field 6.x default). */
  readonly fields?: readonly string[];
  /** The protocol in force at the start; null (the default) reads F lines in the 6.1+ layout. */
  readonly protocol?: string | null;
}

const L1_TYPES = 'one of Q, P, F, R, N, C, T, S, n, E';

export class L1Decoder implements Decoder<L1Message> {
  readonly channel = 'L1' as const;
  private readonly reader = new FieldReader();
  private layout: UpdateLayout;
  private fundamentals: readonly FieldSpec[];
  private protocolVersion: string | null;

  constructor(options: L1DecoderOptions = {}) {
    this.layout = options.fields ? new UpdateLayout(options.fields) : UpdateLayout.DEFAULT;
    this.protocolVersion = options.protocol ?? null;
    this.fundamentals = fundamentalLayout(this.protocolVersion);
  }

  /** The Q/P field list in force, Symbol first. */
  get fields(): readonly string[] {
    return this.layout.fields;
  }

  get protocol(): string | null {
    return this.protocolVersion;
  }

  setFields(fields: readonly string[]): void {
    this.layout = fields === DEFAULT_UPDATE_FIELDS ? UpdateLayout.DEFAULT : new UpdateLayout(fields);
  }

  setProtocol(protocol: string | null): void {
    this.protocolVersion = protocol;
    this.fundamentals = fundamentalLayout(protocol);
  }

  decode(line: string): L1Message | DecodeError {
    try {
      return this.decodeLine(line);
    } catch (err) {
      return internalFault('L1', line, err);
    }
  }

  private decodeLine(line: string): L1Message | DecodeError {
    const r = this.reader;
    r.reset(line, 'L1', 2, 1);
    switch (typeCode(line)) {
      case 81: // Q
        return decodeUpdate(r, 'Q', this.layout);
      case 80: // P
        return decodeUpdate(r, 'P', this.layout);
      case 70: // F
        return decodeFundamental(r, this.fundamentals);
      case 82: // R
        return decodeRegional(r);
      case 78: // N
        return decodeNews(r);
      case 67: // C
        return decodeTradeCorrection(r);
      case 84: // T
        return decodeTimestamp(r);
      case 110: // n
        return decodeSymbolNotFound(r);
      case 69: // E
        return decodeErrorMessage(r);
      case 83: {
        // S
        const m = decodeSystem(r, L1_SYSTEM);
        if (!isDecodeError(m)) {
          // State changes take effect from the next line on, as on the wire.
          if (m['System Type'] === 'CURRENT UPDATE FIELDNAMES') this.setFields(m.Fields);
          else if (m['System Type'] === 'CURRENT PROTOCOL') this.setProtocol(m.Protocol);
        }
        return m;
      }
      default:
        return badType('L1', line, L1_TYPES);
    }
  }
}

const L2_TYPES = 'one of 0, 3, 4, 5, 6, 7, 8, 9, Z, 2, U, M, T, S, n, q, E, O';

export class L2Decoder implements Decoder<L2Message> {
  readonly channel = 'L2' as const;
  private readonly reader = new FieldReader();

  decode(line: string): L2Message | DecodeError {
    try {
      return this.decodeLine(line);
    } catch (err) {
      return internalFault('L2', line, err);
    }
  }

  private decodeLine(line: string): L2Message | DecodeError {
    const r = this.reader;
    r.reset(line, 'L2', 2, 1);
    switch (typeCode(line)) {
      case 56: // 8
        return decodePriceLevel(r, '8');
      case 55: // 7
        return decodePriceLevel(r, '7');
      case 57: // 9
        return decodePriceLevelDelete(r);
      case 51: // 3
        return decodeOrder(r, '3');
      case 52: // 4
        return decodeOrder(r, '4');
      case 53: // 5
        return decodeOrderDelete(r);
      case 54: // 6
        return decodeOrder(r, '6');
      case 48: // 0
        return decodeOrder(r, '0');
      case 90: // Z
        return decodeMarketMaker(r, 'Z');
      case 50: // 2
        return decodeMarketMaker(r, '2');
      case 85: // U
        return decodeLegacyMarketMaker(r);
      case 77: // M
        return decodeMarketMakerName(r);
      case 84: // T
        return decodeTimestamp(r);
      case 83: // S
        return decodeSystem(r, L2_SYSTEM);
      case 110: // n
        return decodeSymbolNotFound(r);
      case 113: // q
        return decodeNoDepth(r);
      case 69: // E
        return decodeErrorMessage(r);
      case 79: // O
        return decodeDeprecated();
      default:
        return badType('L2', line, L2_TYPES);
    }
  }
}

const ADMIN_TYPES = 'S or E';

export class AdminDecoder implements Decoder<AdminMessage> {
  readonly channel = 'ADMIN' as const;
  private readonly reader = new FieldReader();

  decode(line: string): AdminMessage | DecodeError {
    try {
      return this.decodeLine(line);
    } catch (err) {
      return internalFault('ADMIN', line, err);
    }
  }

  private decodeLine(line: string): AdminMessage | DecodeError {
    const r = this.reader;
    r.reset(line, 'ADMIN', 2, 1);
    switch (typeCode(line)) {
      case 83: // S
        return decodeSystem(r, ADMIN_SYSTEM);
      case 69: // E
        return decodeErrorMessage(r);
      default:
        return badType('ADMIN', line, ADMIN_TYPES);
    }
  }
}

export function createDecoder(channel: 'L1', options?: L1DecoderOptions): L1Decoder;
export function createDecoder(channel: 'L2'): L2Decoder;
export function createDecoder(channel: 'ADMIN'): AdminDecoder;
export function createDecoder(channel: Channel): Decoder;
export function createDecoder(channel: Channel, options?: L1DecoderOptions): Decoder {
  switch (channel) {
    case 'L1':
      return new L1Decoder(options);
    case 'L2':
      return new L2Decoder();
    case 'ADMIN':
      return new AdminDecoder();
  }
}
