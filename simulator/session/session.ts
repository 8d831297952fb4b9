/**
 * What every client connection shares, whatever its port: reading commands (CRLF or LF, at any
 * time after accept, even before the banner is read), answering through the connection's output,
 * and the commands every port understands (protocol selection, client name).
 *
 * Unknown or malformed commands are answered with `E,!SYNTAX_ERROR!,`. IQFEED-PROTOCOL.md §11
 * documents that reply only for the lookup port and leaves L1/L2/admin open; answering (rather
 * than staying silent) lets a client see its mistake, and the form is IQConnect's own.
 */
import type { Channel } from '../../collector/protocol/channel.js';
import { type ClientCommand, decodeCommand, isDecodeError } from '../../collector/protocol/index.js';
import { CommandFramer } from './command-framer.js';
import type { SessionContext } from './context.js';
import type { ConnectionOutput } from './output.js';

export const SYNTAX_ERROR = 'E,!SYNTAX_ERROR!,';
export const SUPPORTED_PROTOCOLS: readonly string[] = ['6.0', '6.1', '6.2'];
/** Our own admin command: end the run and report (not an IQConnect command). */
export const END_COMMAND = 'S,L2H END';
/** The longest command line taken; a longer one is dropped whole and answered with the syntax error. */
export const MAX_COMMAND_BYTES = 64 * 1024;

/** Type code of a connection in `S,CLIENTSTATS` (IQFEED-PROTOCOL.md §7.3). */
export const CLIENT_TYPE: Readonly<Record<Channel, number>> = { ADMIN: 0, L1: 1, L2: 2 };

/** The feed status line IQConnect sends on L1 and L2 (IQFEED-PROTOCOL.md §1.3: no trailing comma). */
export function statusLine(up: boolean): string {
  return up ? 'S,SERVER CONNECTED' : 'S,SERVER DISCONNECTED';
}

const PASSWORD_COMMAND = /^S,SET PASSWORD,/i;

/** A command line as it may be logged: a password never appears. */
export function redactCommand(line: string): string {
  return PASSWORD_COMMAND.test(line) ? 'S,SET PASSWORD,[redacted]' : line;
}

export abstract class Session {
  clientName = '';
  protocol: string | null = null;
  timestampsOn = true;
  /** Bytes received from the client (S,CLIENTSTATS "KB received"). */
  bytesIn = 0;
  private readonly framer = new CommandFramer(MAX_COMMAND_BYTES);

  constructor(
    protected readonly ctx: SessionContext,
    readonly id: number,
    readonly channel: Channel,
    readonly out: ConnectionOutput,
    readonly remote: string,
    /** Simulated time of the accept (S,CLIENTSTATS start time). */
    readonly connectedSimUs: number,
  ) {}

  /** Bytes from the socket: every complete command is handled, then the replies are flushed. */
  onData(chunk: Buffer): void {
    this.bytesIn += chunk.length;
    for (const input of this.framer.push(chunk)) {
      if ('line' in input) {
        if (input.line !== '') this.onLine(input.line);
        continue;
      }
      this.ctx.logger.debug(
        { conn: this.id, channel: this.channel, bytes: input.oversized },
        'over-long command line dropped',
      );
      this.reply(SYNTAX_ERROR);
    }
    this.out.flush();
  }

  onLine(line: string): void {
    const cmd = decodeCommand(this.channel, line);
    const handled = !isDecodeError(cmd) && (this.handleCommon(cmd) || this.handle(cmd, line));
    if (!handled) {
      this.ctx.logger.debug(
        { conn: this.id, channel: this.channel, line: redactCommand(line) },
        'command not understood',
      );
      this.reply(SYNTAX_ERROR);
    }
  }

  /** Port-specific commands; false when the command is not one this port answers. */
  protected abstract handle(cmd: ClientCommand, line: string): boolean;

  /** The connection closed: drop every subscription. */
  abstract detach(): void;

  /** Symbols watched (S,CLIENTSTATS), '' for the admin port. */
  abstract symbolCount(): number | null;

  /** A watch of one more symbol would pass the per-connection limit (IQConnect's symbol limit). */
  protected atSymbolLimit(): boolean {
    const limit = this.ctx.symbolLimit;
    return limit !== null && (this.symbolCount() ?? 0) >= limit;
  }

  /** Symbols with regional quotes on (L1 only). */
  regionalCount(): number | null {
    return null;
  }

  reply(line: string, symbol: string | null = null): void {
    this.out.send(line, symbol);
    this.ctx.counters.countLine(this.channel, line, symbol);
  }

  /** Answer to `S,SET PROTOCOL,<v>` (L1 adds the unsolicited field list). */
  protected onProtocol(version: string): void {
    if (!SUPPORTED_PROTOCOLS.includes(version)) {
      this.reply(`E,${version} is not a valid protocol.,`);
      return;
    }
    this.protocol = version;
    this.reply(`S,CURRENT PROTOCOL,${version},`);
  }

  private handleCommon(cmd: ClientCommand): boolean {
    switch (cmd.Command) {
      case 'SET PROTOCOL':
        this.onProtocol(cmd.Args[0]);
        return true;
      case 'SET CLIENT NAME':
        this.clientName = cmd.Args[0];
        return true;
      default:
        return false;
    }
  }
}
