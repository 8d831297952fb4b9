/**
 * What the feed says to IQConnect on each port, as ordered command lists
 * (IQFEED-PROTOCOL.md §3, §4, §6.1, §7.1). Everything is sent right after the TCP connect, as
 * every reference client does; IQConnect handles a port's commands in the order received, so
 * on Level 1 the field selection is always ahead of the watches and every `P`/`Q` comes in the
 * selected layout.
 */
import type { Channel } from '../protocol/channel.js';
import { encodeCommand } from '../protocol/commands.js';
import { CLIENT_TERMINATOR } from '../protocol/framing.js';
import type { FeedOptions } from './options.js';

export interface Command {
  readonly line: string;
  /** What a log shows instead of `line` when the line holds a credential. */
  readonly logAs?: string;
}

/**
 * The protocol asked for on Level 2. Protocol 6.2 dropped the legacy market-maker depth
 * (`w` → `Z`/`2`; IQFEED-PROTOCOL.md §6.1, §9), so when every symbol is `mm` the port asks for
 * 6.1, where `w` is documented. With mixed families the port stays on 6.2 and still sends `w`
 * for the `mm` symbols: our simulator answers it, but what a real IQConnect 6.2 does with `w`
 * is undocumented (one client refuses to send it), so against a real IQConnect `mm` for all
 * symbols is the safe choice.
 */
export function l2Protocol(o: FeedOptions): string {
  const allMm = o.symbols.every((s) => o.family[s] === 'mm');
  return allMm ? '6.1' : o.protocol;
}

/** True when some but not all symbols use the legacy market-maker watch. */
export function hasMixedLegacyDepth(o: FeedOptions): boolean {
  const mm = o.symbols.filter((s) => o.family[s] === 'mm').length;
  return mm > 0 && mm < o.symbols.length;
}

const cmd = (line: string): Command => ({ line });

/** The commands sent on a fresh connection. */
export function handshake(channel: Channel, o: FeedOptions): Command[] {
  switch (channel) {
    case 'L1':
      return [
        cmd(encodeCommand({ Command: 'SET PROTOCOL', Args: [o.protocol] })),
        cmd(encodeCommand({ Command: 'SET CLIENT NAME', Args: [o.clientName] })),
        cmd(encodeCommand({ Command: 'SELECT UPDATE FIELDS', Args: o.l1Fields })),
        ...watches('L1', o, o.symbols),
      ];
    case 'L2':
      return [
        cmd(encodeCommand({ Command: 'SET PROTOCOL', Args: [l2Protocol(o)] })),
        cmd(encodeCommand({ Command: 'SET CLIENT NAME', Args: [o.clientName] })),
        ...watches('L2', o, o.symbols),
      ];
    case 'ADMIN':
      return adminHandshake(o);
  }
}

/**
 * Admin: the protocol (an IQConnect too old for it says so here too, CS#143), the client name,
 * then the login, each part only when given: register the product, set login id and password,
 * and `S,CONNECT` so IQConnect connects to DTN with them. `S,STATS` comes unasked every second.
 */
function adminHandshake(o: FeedOptions): Command[] {
  const out = [
    cmd(encodeCommand({ Command: 'SET PROTOCOL', Args: [o.protocol] })),
    cmd(encodeCommand({ Command: 'SET CLIENT NAME', Args: [o.clientName] })),
  ];
  const { productId, productVersion, loginId, password } = o.iqfeed;
  if (productId !== undefined) {
    const args = productVersion === undefined ? [productId] : [productId, productVersion];
    out.push(cmd(encodeCommand({ Command: 'REGISTER CLIENT APP', Args: args })));
  }
  if (loginId !== undefined) out.push(cmd(encodeCommand({ Command: 'SET LOGINID', Args: [loginId] })));
  // Built by hand: the encoder rejects commas (a password may hold them) and names the value in
  // its error.
  if (password !== undefined)
    out.push({ line: `S,SET PASSWORD,${password}`, logAs: 'S,SET PASSWORD,[redacted]' });
  if (productId !== undefined || loginId !== undefined || password !== undefined) {
    out.push(cmd(encodeCommand({ Command: 'CONNECT' })));
  }
  return out;
}

/**
 * The watch of each symbol on a port. Re-sending a watch is how the feed resyncs: IQConnect
 * answers it with the symbol's current state (`F`+`P` on L1, a summary burst on L2). On L1 `w`
 * rather than `f` (refresh): whether IQConnect keeps watches across its own reconnect to DTN is
 * not established (§10), and `f` is ignored for a symbol that is not watched.
 */
export function watches(channel: Channel, o: FeedOptions, symbols: readonly string[]): Command[] {
  if (channel === 'L1') return symbols.map((s) => cmd(encodeCommand({ Command: 'w', Symbol: s })));
  if (channel === 'ADMIN') return [];
  return symbols.map((s) => {
    switch (o.family[s]) {
      case 'mbo':
        return cmd(encodeCommand({ Command: 'WOR', Symbol: s }));
      case 'mm':
        return cmd(encodeCommand({ Command: 'w', Symbol: s }));
      default:
        return cmd(
          encodeCommand(
            o.maxPriceLevels === null
              ? { Command: 'WPL', Symbol: s }
              : { Command: 'WPL', Symbol: s, 'Max Price Levels': o.maxPriceLevels },
          ),
        );
    }
  });
}

/**
 * Level 2's `c`: ask IQConnect to (re)connect its depth-server link. The one recorded Level 2
 * session (IQFEED-PROTOCOL.md §3.2, [rec] RB) shows `S,SERVER DISCONNECTED` on connect and
 * `S,SERVER CONNECTED` after the client's `c`: the depth link may stay down until a client asks.
 * Sent only when the port reports that link down, so a working link is never touched.
 */
export const DEPTH_CONNECT: Command = { line: encodeCommand({ Command: 'c' }) };

/** The bytes to write: every command ends in `\r\n` (§1.2). */
export function wire(commands: readonly Command[]): string {
  let out = '';
  for (const c of commands) out += c.line + CLIENT_TERMINATOR;
  return out;
}

/** The commands as they may be logged. */
export function loggable(commands: readonly Command[]): string[] {
  return commands.map((c) => c.logAs ?? c.line);
}
