/**
 * An admin (port 9300) connection: no banner; `S,STATS` once per simulated second; login and
 * registration commands with IQConnect's acknowledgements; `S,CONNECT` / `S,DISCONNECT`
 * flipping the STATS status; `S,CLIENTSTATS ON|OFF` (IQFEED-PROTOCOL.md §3.3, §7).
 *
 * Our additions and choices, where the reference is silent:
 * - `S,L2H END` (not an IQConnect command) ends the run: the simulator reports its stats and
 *   stops, as on SIGTERM.
 * - `S,CONNECT` / `S,DISCONNECT` take IQConnect's link to DTN up or down for every streaming
 *   connection (hub.setServerLink, IQFEED-PROTOCOL.md §10).
 * - After `S,CONNECT` / `S,DISCONNECT` one STATS line with the new status is sent at once, so a
 *   launcher that waits for "Connected" need not wait for the replay clock to move.
 * - `S,CLIENTSTATS ON` sends one S,CLIENTSTATS per connection at once, then with every STATS.
 * - A client over its output bound (it stopped reading, or reads slower than once a second of
 *   STATS) is skipped by the periodic push (STATS and CLIENTSTATS) until it is back under the
 *   bound: the push is a status, and the next one supersedes a missed one. Its replies to its own
 *   commands still go out in full. Holding the replay for it instead would freeze every other
 *   client's market data behind one stuck admin tool.
 * - The password is accepted and forgotten (nothing needs it, and what is not kept cannot leak);
 *   it is never logged and its echo is fully masked.
 */
import type { ClientCommand } from '../../collector/protocol/index.js';
import type { AdminSubscriber } from '../replay/subscribers.js';
import { clientStatsLine, MASKED_PASSWORD } from './admin-lines.js';
import type { SessionContext } from './context.js';
import type { ConnectionOutput } from './output.js';
import { CLIENT_TYPE, END_COMMAND, Session } from './session.js';

export class AdminSession extends Session implements AdminSubscriber {
  private clientStatsOn = false;
  /** Periodic pushes skipped because the client was over its bound, over the connection's life. */
  pushesSkipped = 0;

  constructor(
    ctx: SessionContext,
    id: number,
    out: ConnectionOutput,
    remote: string,
    connectedSimUs: number,
  ) {
    super(ctx, id, 'ADMIN', out, remote, connectedSimUs);
  }

  symbolCount(): null {
    return null;
  }

  detach(): void {
    this.clientStatsOn = false;
  }

  tick(): void {
    if (this.out.overBound) {
      if (this.pushesSkipped++ === 0) {
        this.ctx.logger.warn(
          { conn: this.id, queuedBytes: this.out.queuedBytes() },
          'admin client is not reading: its STATS pushes are skipped until it drains',
        );
      }
      return;
    }
    this.reply(this.ctx.statsLine());
    if (this.clientStatsOn) this.sendClientStats();
  }

  override onLine(line: string): void {
    if (line.trim().toUpperCase() === END_COMMAND) {
      this.ctx.logger.info({ conn: this.id }, 'S,L2H END received on the admin port');
      this.ctx.endRun('admin-end');
      return;
    }
    if (/^S,SET PASSWORD,/i.test(line)) {
      // Handled before decoding: a password may hold commas, and a decode error would be logged.
      this.reply(`S,CURRENT PASSWORD,${MASKED_PASSWORD},`);
      return;
    }
    super.onLine(line);
  }

  protected handle(cmd: ClientCommand): boolean {
    const admin = this.ctx.admin;
    switch (cmd.Command) {
      case 'REGISTER CLIENT APP':
        this.reply('S,REGISTER CLIENT APP COMPLETED,');
        return true;
      case 'REMOVE CLIENT APP':
        this.reply('S,REMOVE CLIENT APP COMPLETED,');
        return true;
      case 'SET LOGINID':
        admin.loginId = cmd.Args[0];
        this.reply(`S,CURRENT LOGINID,${admin.loginId},`);
        return true;
      case 'SET SAVE LOGIN INFO': {
        const on = isOn(cmd.Args[0]);
        if (on === null) return false;
        admin.saveLoginInfo = on;
        this.reply(on ? 'S,LOGIN INFO SAVED,' : 'S,LOGIN INFO NOT SAVED,');
        return true;
      }
      case 'SET AUTOCONNECT': {
        const on = isOn(cmd.Args[0]);
        if (on === null) return false;
        admin.autoconnect = on;
        this.reply(on ? 'S,AUTOCONNECT ON,' : 'S,AUTOCONNECT OFF,');
        return true;
      }
      case 'CONNECT':
      case 'DISCONNECT':
        this.ctx.setServerLink(['L1', 'L2'], cmd.Command === 'CONNECT', `admin S,${cmd.Command}`);
        this.reply(this.ctx.statsLine());
        return true;
      case 'CLIENTSTATS ON':
        this.clientStatsOn = true;
        this.sendClientStats();
        return true;
      case 'CLIENTSTATS OFF':
        this.clientStatsOn = false;
        return true;
      case 'REQUEST STATS':
        this.reply(this.ctx.statsLine());
        return true;
      default:
        return false;
    }
  }

  private sendClientStats(): void {
    for (const s of this.ctx.sessions()) {
      this.reply(
        clientStatsLine({
          type: CLIENT_TYPE[s.channel],
          id: s.id,
          name: s.clientName,
          connectedSimUs: s.connectedSimUs,
          symbols: s.symbolCount(),
          regional: s.regionalCount(),
          bytesIn: s.bytesIn,
          bytesOut: s.out.bytes,
          bytesQueued: s.out.queuedBytes(),
        }),
      );
    }
  }
}

function isOn(text: string | undefined): boolean | null {
  const t = (text ?? '').trim().toUpperCase();
  return t === 'ON' ? true : t === 'OFF' ? false : null;
}
