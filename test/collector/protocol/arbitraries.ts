import fc from 'fast-check';
import type { Channel } from '../../../collector/protocol/channel.js';
import type { ClientCommand } from '../../../collector/protocol/commands.js';
import { SYSTEM_COMMANDS, type SystemCommandName } from '../../../collector/protocol/commands.js';
import {
  type FieldSpec,
  FUNDAMENTAL_FIELDS,
  FUNDAMENTAL_FIELDS_60,
  RESERVED,
  UPDATE_FIELDS,
} from '../../../collector/protocol/fields.js';
import type {
  AdminMessage,
  FundamentalMessage,
  FundamentalMessage60,
  L1Message,
  L2Message,
  UpdateMessage,
} from '../../../collector/protocol/index.js';
import { ADMIN_ACKS } from '../../../collector/protocol/index.js';
import type { FieldValue, ValueKind } from '../../../collector/protocol/values.js';

/**
 * Arbitraries for every message the decoders produce, shaped the way a decoder produces it:
 * empty fields are null (never ''), prices are numbers with at most 8 decimals, dates ISO,
 * text without the characters that would end a field.
 */

const nullable = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | null> => fc.option(arb, { nil: null });

const printable = (exclude: string): fc.Arbitrary<string> =>
  fc
    .integer({ min: 0x20, max: 0x7e })
    .filter((c) => !exclude.includes(String.fromCharCode(c)))
    .map((c) => String.fromCharCode(c));

/** Field text: printable, no comma; may be empty when `minLength` is 0. */
export const fieldText = (minLength = 1): fc.Arbitrary<string> =>
  fc.string({ unit: printable(','), minLength, maxLength: 12 });

/** Text at the end of a line: commas allowed, no CR/LF. */
export const tailText = fc.string({ unit: printable(''), minLength: 1, maxLength: 30 });

export const symbol = fc.stringMatching(/^[A-Z@][A-Z0-9.#]{0,7}$/);

export const price = fc
  .tuple(fc.integer({ min: -999_999_999, max: 999_999_999 }), fc.integer({ min: 0, max: 8 }))
  .map(([m, s]) => m / 10 ** s);

export const positivePrice = fc
  .tuple(fc.integer({ min: 0, max: 999_999_999 }), fc.integer({ min: 0, max: 8 }))
  .map(([m, s]) => m / 10 ** s);

export const integer = fc.integer({ min: -1_000_000, max: Number.MAX_SAFE_INTEGER });
export const count = fc.maxSafeNat();

const two = (max: number) => fc.integer({ min: 0, max }).map((n) => String(n).padStart(2, '0'));

export const time = fc
  .tuple(two(23), two(59), two(59), fc.option(fc.integer({ min: 0, max: 999_999 }), { nil: undefined }))
  .map(([h, m, s, us]) => `${h}:${m}:${s}${us === undefined ? '' : `.${String(us).padStart(6, '0')}`}`);

/** Legacy depth's "no time" (IQFEED-PROTOCOL.md §6.5) besides real times, for Z, 2 and U rows. */
const legacyTime = fc.oneof(time, fc.constant('99:99:99'));

export const wholeSecondTime = fc.tuple(two(23), two(59), two(59)).map(([h, m, s]) => `${h}:${m}:${s}`);

/** Days in a month, leap years included: decoders refuse a day the month does not have. */
const daysIn = (y: number, m: number): number => new Date(Date.UTC(y, m, 0)).getUTCDate();

// Every real day, so that the 29th–31st and 29 February of leap years are exercised too.
export const isoDate = fc
  .tuple(fc.integer({ min: 1990, max: 2099 }), fc.integer({ min: 1, max: 12 }))
  .chain(([y, m]) => fc.integer({ min: 1, max: daysIn(y, m) }).map((d) => [y, m, d] as const))
  .map(([y, m, d]) => `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`);

export const isoDateTime = fc.tuple(isoDate, wholeSecondTime).map(([d, t]) => `${d}T${t}`);

export const side = fc.constantFrom('A' as const, 'B' as const);

export function valueOfKind(kind: ValueKind): fc.Arbitrary<FieldValue> {
  switch (kind) {
    case 'text':
      return nullable(fieldText());
    case 'price':
    case 'decimal':
      return nullable(price);
    case 'integer':
      return nullable(integer);
    case 'date':
      return nullable(isoDate);
    case 'time':
      return nullable(time);
  }
}

function recordOf(specs: readonly FieldSpec[]): fc.Arbitrary<Record<string, FieldValue>> {
  const model: Record<string, fc.Arbitrary<FieldValue>> = {};
  for (const { name, kind } of specs)
    if (name !== RESERVED && name !== 'Symbol') model[name] = valueOfKind(kind);
  return fc.record(model);
}

/** A Q or P message together with the field list it is laid out over. */
export const update: fc.Arbitrary<{ readonly fields: readonly string[]; readonly message: UpdateMessage }> =
  fc
    .tuple(
      fc.shuffledSubarray([...UPDATE_FIELDS.slice(1)] as FieldSpec[], { minLength: 0 }),
      fc.constantFrom('Q' as const, 'P' as const),
      symbol,
    )
    .chain(([specs, type, sym]) =>
      recordOf(specs).map((values) => ({
        fields: ['Symbol', ...specs.map((s) => s.name)],
        message: { Type: type, Symbol: sym, ...values } as UpdateMessage,
      })),
    );

// Records are built from the same catalogue the message types are derived from.
export const fundamental61 = fc
  .tuple(symbol, recordOf(FUNDAMENTAL_FIELDS))
  .map(([sym, values]) => ({ Type: 'F', Symbol: sym, ...values }) as unknown as FundamentalMessage);

export const fundamental60 = fc
  .tuple(symbol, recordOf(FUNDAMENTAL_FIELDS_60))
  .map(([sym, values]) => ({ Type: 'F', Symbol: sym, ...values }) as unknown as FundamentalMessage60);

const textList = fc.array(fieldText(0), { maxLength: 5 });

const stats = fc.record({
  Type: fc.constant('S' as const),
  'System Type': fc.constant('STATS' as const),
  'Server IP': nullable(fieldText()),
  'Server Port': nullable(count),
  'Max Symbols': nullable(count),
  'Number of Symbols': nullable(count),
  'Clients Connected': nullable(count),
  'Seconds Since Last Update': nullable(count),
  Reconnections: nullable(count),
  'Attempted Reconnections': nullable(count),
  'Start Time': nullable(fieldText()),
  'Market Time': nullable(fieldText()),
  Status: nullable(fc.constantFrom('Connected', 'Not Connected')),
  'IQFeed Version': nullable(fieldText()),
  'Login ID': nullable(fieldText()),
  'Total KB Received': nullable(positivePrice),
  'KB/s Received': nullable(positivePrice),
  'Avg KB/s Received': nullable(positivePrice),
  'Total KB Sent': nullable(positivePrice),
  'KB/s Sent': nullable(positivePrice),
  'Avg KB/s Sent': nullable(positivePrice),
});

const currentProtocol = fc.record({
  Type: fc.constant('S' as const),
  'System Type': fc.constant('CURRENT PROTOCOL' as const),
  Protocol: fieldText(),
});

const timestamp = fc.record({ Type: fc.constant('T' as const), Timestamp: isoDateTime });
const notFound = fc.record({ Type: fc.constant('n' as const), Symbol: symbol });
const errorMessage = fc.record({ Type: fc.constant('E' as const), Error: nullable(tailText) });
const serverStatus = fc.record({
  Type: fc.constant('S' as const),
  'System Type': fc.constantFrom(
    'SERVER CONNECTED' as const,
    'SERVER DISCONNECTED' as const,
    'SERVER RECONNECT FAILED' as const,
  ),
});
const symbolLimit = fc.record({
  Type: fc.constant('S' as const),
  'System Type': fc.constant('SYMBOL LIMIT REACHED' as const),
  Symbol: symbol,
});

/** One arbitrary per L1 message type other than Q/P and F (which need the decoder's state). */
export const l1Messages: Readonly<Record<string, fc.Arbitrary<L1Message>>> = {
  R: fc.record({
    Type: fc.constant('R' as const),
    Symbol: symbol,
    'Exchange (deprecated)': nullable(fieldText()),
    'Regional Bid': nullable(price),
    'Regional Bid Size': nullable(count),
    'Regional Bid Time': nullable(wholeSecondTime),
    'Regional Ask': nullable(price),
    'Regional Ask Size': nullable(count),
    'Regional Ask Time': nullable(wholeSecondTime),
    'Fraction Display Code': nullable(integer),
    'Decimal Precision': nullable(integer),
    'Market Center': nullable(integer),
  }),
  N: fc.record({
    Type: fc.constant('N' as const),
    'Distributor Code': nullable(fieldText()),
    'Story ID': nullable(fieldText()),
    'Symbol List': nullable(fc.array(symbol, { maxLength: 4 })),
    Timestamp: nullable(isoDateTime),
    Headline: nullable(tailText),
  }),
  'C (10 fields)': fc.record({
    Type: fc.constant('C' as const),
    Symbol: symbol,
    'Correction Type': nullable(fc.constantFrom('I', 'X')),
    'Trade Type': nullable(fc.constantFrom('C', 'E', 'O')),
    'Trade Date': nullable(isoDate),
    'Trade Time': nullable(time),
    'Trade Price': nullable(price),
    'Trade Size': nullable(count),
    TickID: nullable(count),
    'Trade Conditions': nullable(fc.stringMatching(/^([0-9A-F]{2}){1,4}$/)),
    'Trade Market Center': nullable(count),
  }),
  // A 9-field line with date, time and price all empty reads as 10-field (documented limit).
  'C (9 fields)': fc
    .record({
      Type: fc.constant('C' as const),
      Symbol: symbol,
      'Correction Type': nullable(fc.constantFrom('I', 'X')),
      'Trade Date': nullable(isoDate),
      'Trade Time': nullable(time),
      'Trade Price': nullable(price),
      'Trade Size': nullable(count),
      TickID: nullable(count),
      'Trade Conditions': nullable(fc.stringMatching(/^([0-9A-F]{2}){1,4}$/)),
      'Trade Market Center': nullable(count),
    })
    .filter((m) => m['Trade Date'] !== null || m['Trade Time'] !== null || m['Trade Price'] !== null),
  T: timestamp,
  n: notFound,
  E: errorMessage,
  'S server status': serverStatus,
  'S KEY': fc.record({
    Type: fc.constant('S' as const),
    'System Type': fc.constant('KEY' as const),
    Key: nullable(fieldText()),
  }),
  'S KEYOK': fc.constant({ Type: 'S' as const, 'System Type': 'KEYOK' as const }),
  'S IP': fc.record({
    Type: fc.constant('S' as const),
    'System Type': fc.constant('IP' as const),
    Endpoints: textList,
  }),
  'S CUST': fc.record({
    Type: fc.constant('S' as const),
    'System Type': fc.constant('CUST' as const),
    'Service Type': nullable(fieldText()),
    'Server IP': nullable(fieldText()),
    'Server Port': nullable(count),
    Token: nullable(fieldText()),
    'IQConnect Version': nullable(fieldText()),
    'Unknown 7': nullable(fieldText()),
    'Real-time Exchanges': nullable(fieldText()),
    'Unknown 9': nullable(fieldText()),
    'Max Symbols': nullable(count),
    Flags: nullable(fieldText()),
    'Expiration Date': nullable(isoDate),
  }),
  'S CURRENT PROTOCOL': currentProtocol,
  'S field names': fc.record({
    Type: fc.constant('S' as const),
    'System Type': fc.constantFrom(
      'CURRENT UPDATE FIELDNAMES' as const,
      'UPDATE FIELDNAMES' as const,
      'FUNDAMENTAL FIELDNAMES' as const,
    ),
    Fields: textList,
  }),
  'S WATCHES': fc.record({
    Type: fc.constant('S' as const),
    'System Type': fc.constant('WATCHES' as const),
    Symbols: textList,
  }),
  'S CURRENT LOG LEVELS': fc.record({
    Type: fc.constant('S' as const),
    'System Type': fc.constant('CURRENT LOG LEVELS' as const),
    'Log Levels': textList,
  }),
  'S SYMBOL LIMIT REACHED': symbolLimit,
  'S STATS': stats,
};

const order = fc.record({
  Type: fc.constantFrom('0' as const, '3' as const, '4' as const, '6' as const),
  Symbol: symbol,
  'Order ID': nullable(count),
  MMID: nullable(fieldText()),
  Side: side,
  Price: positivePrice,
  'Order Size': count,
  'Order Priority': nullable(count),
  Precision: fc.integer({ min: 0, max: 8 }),
  'Order Time': nullable(time),
  'Order Date': nullable(isoDate),
});

const marketMakerFields = {
  Symbol: symbol,
  MMID: fieldText(),
  Bid: nullable(positivePrice),
  Ask: nullable(positivePrice),
  'Bid Size': nullable(count),
  'Ask Size': nullable(count),
  'Bid Time': nullable(legacyTime),
  Date: nullable(isoDate),
};

export const l2Messages: Readonly<Record<string, fc.Arbitrary<L2Message>>> = {
  '0 3 4 6': order,
  '5': fc.record({
    Type: fc.constant('5' as const),
    Symbol: symbol,
    'Order ID': nullable(count),
    MMID: nullable(fieldText()),
    Side: side,
    'Order Time': nullable(time),
    'Order Date': nullable(isoDate),
  }),
  '7 8': fc.record({
    Type: fc.constantFrom('7' as const, '8' as const),
    Symbol: symbol,
    Side: side,
    Price: positivePrice,
    Size: count,
    'Order Count': nullable(count),
    Precision: fc.integer({ min: 0, max: 8 }),
    Time: nullable(time),
    Date: nullable(isoDate),
  }),
  '9': fc.record({
    Type: fc.constant('9' as const),
    Symbol: symbol,
    Side: side,
    Price: positivePrice,
    Time: nullable(time),
    Date: nullable(isoDate),
  }),
  'Z 2': fc.record({
    Type: fc.constantFrom('Z' as const, '2' as const),
    ...marketMakerFields,
    'Condition Code': nullable(fieldText()),
    'Ask Time': nullable(legacyTime),
    'Bid Info Valid': nullable(fc.constantFrom('T', 'F')),
    'Ask Info Valid': nullable(fc.constantFrom('T', 'F')),
    'End Of Message Group': nullable(fc.constantFrom('T', 'F')),
  }),
  U: fc.record({
    Type: fc.constant('U' as const),
    ...marketMakerFields,
    'Unknown 9': nullable(fieldText()),
    'Condition Code?': nullable(fieldText()),
    'Unknown 11': nullable(fieldText()),
    'Ask Time': nullable(legacyTime),
    'Bid Valid?': nullable(fc.constantFrom('T', 'F')),
    'Ask Valid?': nullable(fc.constantFrom('T', 'F')),
  }),
  M: fc.record({ Type: fc.constant('M' as const), MMID: fieldText(), Description: nullable(tailText) }),
  q: fc.record({ Type: fc.constant('q' as const), Symbol: symbol }),
  O: fc.constant({ Type: 'O' as const }),
  T: timestamp,
  n: notFound,
  E: errorMessage,
  'S server status': serverStatus,
  'S CURRENT PROTOCOL': currentProtocol,
  'S CLEAR DEPTH': fc.record({
    Type: fc.constant('S' as const),
    'System Type': fc.constant('CLEAR DEPTH' as const),
    Symbol: symbol,
    Side: side,
  }),
  'S SYMBOL LIMIT REACHED': symbolLimit,
};

export const adminMessages: Readonly<Record<string, fc.Arbitrary<AdminMessage>>> = {
  'S STATS': stats,
  'S CLIENTSTATS': fc.record({
    Type: fc.constant('S' as const),
    'System Type': fc.constant('CLIENTSTATS' as const),
    'Client Type': nullable(fc.integer({ min: 0, max: 3 })),
    'Client ID': nullable(count),
    'Client Name': nullable(fieldText()),
    'Start Time': nullable(isoDateTime),
    Symbols: nullable(count),
    'Regional Symbols': nullable(count),
    'KB Received': nullable(positivePrice),
    'KB Sent': nullable(positivePrice),
    'KB Queued': nullable(positivePrice),
  }),
  'S acks': fc.constantFrom(...ADMIN_ACKS).map((k) => ({ Type: 'S' as const, 'System Type': k })),
  'S CURRENT LOGINID': fc.record({
    Type: fc.constant('S' as const),
    'System Type': fc.constant('CURRENT LOGINID' as const),
    'Login ID': nullable(fieldText()),
  }),
  'S CURRENT PASSWORD': fc.record({
    Type: fc.constant('S' as const),
    'System Type': fc.constant('CURRENT PASSWORD' as const),
    Password: nullable(fieldText()),
  }),
  'S CURRENT PROTOCOL': currentProtocol,
  E: errorMessage,
};

const systemCommand: fc.Arbitrary<ClientCommand> = fc
  .constantFrom(...(Object.keys(SYSTEM_COMMANDS) as SystemCommandName[]))
  .chain((name) => {
    const { min, max } = SYSTEM_COMMANDS[name];
    if (max === 0) return fc.constant({ Command: name } as ClientCommand);
    return fc
      .array(fieldText(0), { minLength: min, maxLength: max === 'many' ? 6 : max })
      .map((args) => ({ Command: name, Args: args }) as ClientCommand);
  });

/** A command with a port that accepts it. */
export const command: fc.Arbitrary<{ readonly channel: Channel; readonly command: ClientCommand }> = fc.oneof(
  fc
    .tuple(fc.constantFrom<Channel>('L1', 'L2', 'ADMIN'), systemCommand)
    .map(([channel, c]) => ({ channel, command: c })),
  fc
    .tuple(fc.constantFrom('w' as const, 't' as const, 'r' as const, 'f' as const), fieldText())
    .map(([c, s]) => ({ channel: 'L1' as const, command: { Command: c, Symbol: s } })),
  fc.constant({ channel: 'L1' as const, command: { Command: 'T' as const } }),
  fc
    .tuple(fc.constantFrom('w' as const, 'r' as const), fieldText())
    .map(([c, s]) => ({ channel: 'L2' as const, command: { Command: c, Symbol: s } })),
  fieldText().map((mmid) => ({ channel: 'L2' as const, command: { Command: 'm' as const, MMID: mmid } })),
  fc
    .constantFrom('c' as const, 'x' as const)
    .map((c) => ({ channel: 'L2' as const, command: { Command: c } })),
  fc
    .tuple(fc.constantFrom('WOR' as const, 'ROR' as const, 'RPL' as const), fieldText())
    .map(([c, s]) => ({ channel: 'L2' as const, command: { Command: c, Symbol: s } })),
  fc
    .tuple(fieldText(), fc.option(fc.integer({ min: 1, max: 1000 }), { nil: undefined }))
    .map(([s, levels]) => ({
      channel: 'L2' as const,
      command:
        levels === undefined
          ? { Command: 'WPL' as const, Symbol: s }
          : { Command: 'WPL' as const, Symbol: s, 'Max Price Levels': levels },
    })),
);
