import { L2hError } from '../../common/errors.js';
import type { Channel } from './channel.js';
import { type DecodeError, decodeError } from './decode-error.js';
import { formatInteger, formatList, formatText, parseInteger } from './values.js';

/**
 * Client → IQConnect commands (IQFEED-PROTOCOL.md §4, §6.1, §7.1): what the collector sends
 * and the simulator parses. Decoded form as in vectors.jsonl: `{ Command, Symbol }` for the
 * one-letter watch commands (`wAAPL`), `{ Command, Args }` for `S,<COMMAND>,<arg>…`. Lines are
 * given without their terminator (CRLF or LF; the framer removes either).
 */

/** `w` watch, `t` trades-only watch, `r` unwatch, `f` refresh (L1); `w`/`r` on L2 too. */
export interface SymbolCommand {
  readonly Command: 'w' | 't' | 'r' | 'f';
  readonly Symbol: string;
}

/** `m<MMID>`: ask for a market maker's name (L2). */
export interface MarketMakerQueryCommand {
  readonly Command: 'm';
  readonly MMID: string;
}

/** `T` one timestamp now (L1); `c` / `x` connect / disconnect the depth feed (L2). */
export interface BareCommand {
  readonly Command: 'T' | 'c' | 'x';
}

/** `WOR,<sym>` watch by order, `ROR,<sym>` / `RPL,<sym>` remove a 6.2 depth watch. */
export interface DepthCommand {
  readonly Command: 'WOR' | 'ROR' | 'RPL';
  readonly Symbol: string;
}

/** `WPL,<sym>[,<levels>]`: watch by price level, optionally capped. */
export interface PriceLevelWatchCommand {
  readonly Command: 'WPL';
  readonly Symbol: string;
  readonly 'Max Price Levels'?: number;
}

/** How many arguments each `S,` command takes. */
export const SYSTEM_COMMANDS = {
  'SET PROTOCOL': { min: 1, max: 1 },
  'SET CLIENT NAME': { min: 1, max: 1 },
  'SELECT UPDATE FIELDS': { min: 1, max: 'many' },
  'REQUEST CURRENT UPDATE FIELDNAMES': { min: 0, max: 0 },
  'REQUEST ALL UPDATE FIELDNAMES': { min: 0, max: 0 },
  'REQUEST FUNDAMENTAL FIELDNAMES': { min: 0, max: 0 },
  'REQUEST WATCHES': { min: 0, max: 0 },
  'REQUEST STATS': { min: 0, max: 0 },
  'UNWATCH ALL': { min: 0, max: 0 },
  TIMESTAMPSON: { min: 0, max: 0 },
  TIMESTAMPSOFF: { min: 0, max: 0 },
  REGON: { min: 1, max: 1 },
  REGOFF: { min: 1, max: 1 },
  NEWSON: { min: 0, max: 0 },
  NEWSOFF: { min: 0, max: 0 },
  'SET LOG LEVELS': { min: 1, max: 'many' },
  KEY: { min: 1, max: 1 },
  CONNECT: { min: 0, max: 0 },
  DISCONNECT: { min: 0, max: 0 },
  'REGISTER CLIENT APP': { min: 1, max: 2 },
  'REMOVE CLIENT APP': { min: 1, max: 2 },
  'SET LOGINID': { min: 1, max: 1 },
  'SET PASSWORD': { min: 1, max: 1 },
  'SET SAVE LOGIN INFO': { min: 1, max: 1 },
  'SET AUTOCONNECT': { min: 1, max: 1 },
  'CLIENTSTATS ON': { min: 0, max: 0 },
  'CLIENTSTATS OFF': { min: 0, max: 0 },
} as const satisfies Record<string, { readonly min: number; readonly max: number | 'many' }>;

export type SystemCommandName = keyof typeof SYSTEM_COMMANDS;

type Table = typeof SYSTEM_COMMANDS;
type NoArgName = { [K in SystemCommandName]: Table[K]['max'] extends 0 ? K : never }[SystemCommandName];
type ArgName = Exclude<SystemCommandName, NoArgName>;

/** `S,CONNECT`, `S,UNWATCH ALL`, `S,TIMESTAMPSOFF` …: no arguments, no `Args` key. */
export interface PlainSystemCommand {
  readonly Command: NoArgName;
}

/** `S,SET PROTOCOL,6.2`, `S,SELECT UPDATE FIELDS,Symbol,Bid,Ask` …. */
export interface SystemCommandWithArgs {
  readonly Command: ArgName;
  readonly Args: readonly string[];
}

export type SystemCommand = PlainSystemCommand | SystemCommandWithArgs;

export type ClientCommand =
  | SymbolCommand
  | MarketMakerQueryCommand
  | BareCommand
  | DepthCommand
  | PriceLevelWatchCommand
  | SystemCommand;

function isSystemCommandName(name: string): name is SystemCommandName {
  return Object.hasOwn(SYSTEM_COMMANDS, name);
}

/** One-letter commands each port accepts: symbol-taking ones and bare ones. */
const LETTERS: Readonly<Record<Channel, { readonly symbol: string; readonly bare: string }>> = {
  L1: { symbol: 'wtrf', bare: 'T' },
  L2: { symbol: 'wrm', bare: 'cx' },
  ADMIN: { symbol: '', bare: '' },
};

const DEPTH_COMMANDS = ['WOR', 'WPL', 'ROR', 'RPL'] as const;

function describeExpected(channel: Channel): string {
  const { symbol, bare } = LETTERS[channel];
  const forms = ['S,<COMMAND>[,<arg>…]'];
  if (symbol) forms.push(`${symbol.split('').join('/')} followed by a symbol`);
  if (bare) forms.push(bare.split('').join(' or '));
  if (channel === 'L2') forms.push('WOR,/WPL,/ROR,/RPL,<symbol>');
  return `a ${channel} command: ${forms.join(', ')}`;
}

function decodeSystemCommand(channel: Channel, line: string): SystemCommand | DecodeError {
  const parts = line.split(',');
  // One trailing comma is tolerated, as on server lines.
  if (parts.length > 2 && parts[parts.length - 1] === '') parts.pop();
  const name = parts[1].toUpperCase();
  if (!isSystemCommandName(name)) {
    return decodeError(
      channel,
      line,
      'Command',
      1,
      `a known S command (${Object.keys(SYSTEM_COMMANDS).join(', ')})`,
      parts[1],
    );
  }
  const args = parts.slice(2);
  const { min, max } = SYSTEM_COMMANDS[name];
  if (args.length < min || (max !== 'many' && args.length > max)) {
    const count = max === 'many' ? `at least ${min}` : min === max ? `${min}` : `${min} to ${max}`;
    return decodeError(channel, line, 'Args', 2, `${count} argument(s) for S,${name}`, args.join(','));
  }
  if (args.length === 0) return { Command: name as NoArgName };
  return { Command: name as ArgName, Args: args };
}

function decodeDepthCommand(
  channel: Channel,
  line: string,
): DepthCommand | PriceLevelWatchCommand | DecodeError {
  const parts = line.split(',');
  if (parts.length > 2 && parts[parts.length - 1] === '') parts.pop();
  const command = parts[0] as (typeof DEPTH_COMMANDS)[number];
  const symbol = parts[1];
  if (symbol === '') return decodeError(channel, line, 'Symbol', 1, 'a symbol', '');
  if (command === 'WPL' && parts.length === 3) {
    const levels = parseInteger(parts[2], 0, parts[2].length);
    if (!(levels > 0))
      return decodeError(channel, line, 'Max Price Levels', 2, 'a positive integer', parts[2]);
    return { Command: 'WPL', Symbol: symbol, 'Max Price Levels': levels };
  }
  if (parts.length > 2)
    return decodeError(channel, line, null, null, `${command},<symbol> and nothing more`, line);
  return command === 'WPL' ? { Command: 'WPL', Symbol: symbol } : { Command: command, Symbol: symbol };
}

/** Parses a line a client sent on `channel`. Never throws. */
export function decodeCommand(channel: Channel, line: string): ClientCommand | DecodeError {
  if (line.startsWith('S,')) return decodeSystemCommand(channel, line);
  if (channel === 'L2') {
    const comma = line.indexOf(',');
    const head = comma < 0 ? line : line.slice(0, comma);
    if ((DEPTH_COMMANDS as readonly string[]).includes(head)) {
      if (comma < 0) return decodeError(channel, line, 'Symbol', 1, 'a symbol', null);
      return decodeDepthCommand(channel, line);
    }
  }
  const letter = line.charAt(0);
  const { symbol, bare } = LETTERS[channel];
  if (letter !== '' && bare.includes(letter)) {
    if (line.length === 1) return { Command: letter as BareCommand['Command'] };
    return decodeError(channel, line, null, null, `${letter} alone`, line);
  }
  if (letter !== '' && symbol.includes(letter)) {
    const rest = line.slice(1);
    const what = letter === 'm' ? 'MMID' : 'Symbol';
    if (rest === '' || rest.includes(',')) {
      return decodeError(
        channel,
        line,
        what,
        1,
        `${letter} followed by a ${what === 'MMID' ? 'market maker id' : 'symbol'} (no comma)`,
        rest,
      );
    }
    if (letter === 'm') return { Command: 'm', MMID: rest };
    return { Command: letter as SymbolCommand['Command'], Symbol: rest };
  }
  return decodeError(channel, line, 'Command', 0, describeExpected(channel), line);
}

function commandError(command: ClientCommand, problem: string): L2hError {
  return new L2hError(`cannot encode command ${JSON.stringify(command)}: ${problem}`, {
    code: 'INTERNAL',
    context: { command: command.Command },
  });
}

/** The line to send for a command, without terminator (clients add `\r\n`, §1.2). */
export function encodeCommand(command: ClientCommand): string {
  switch (command.Command) {
    case 'w':
    case 't':
    case 'r':
    case 'f':
      return command.Command + formatText('Symbol', command.Symbol);
    case 'm':
      return `m${formatText('MMID', command.MMID)}`;
    case 'T':
    case 'c':
    case 'x':
      return command.Command;
    case 'WOR':
    case 'ROR':
    case 'RPL':
      return `${command.Command},${formatText('Symbol', command.Symbol)}`;
    case 'WPL': {
      const levels = command['Max Price Levels'];
      const head = `WPL,${formatText('Symbol', command.Symbol)}`;
      return levels === undefined ? head : `${head},${formatInteger('Max Price Levels', levels)}`;
    }
    default: {
      const { min, max } = SYSTEM_COMMANDS[command.Command];
      const args = 'Args' in command ? command.Args : [];
      if (args.length < min || (max !== 'many' && args.length > max)) {
        throw commandError(
          command,
          `S,${command.Command} takes ${min}..${max} arguments, got ${args.length}`,
        );
      }
      const head = `S,${command.Command}`;
      return args.length === 0 ? head : `${head},${formatList('Args', args)}`;
    }
  }
}
