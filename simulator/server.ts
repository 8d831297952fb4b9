/**
 * The three listeners (Level 1, Level 2, admin). They only accept: every byte after that is the
 * sessions' business.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { CHANNELS, type Channel } from '../collector/protocol/channel.js';
import type { Clock, Timer } from '../common/clock.js';
import { L2hError } from '../common/errors.js';

export interface Listeners {
  /** The ports actually bound (a requested 0 becomes the port the system picked). */
  readonly ports: Readonly<Record<Channel, number>>;
  /**
   * Stop accepting, and cancel any re-listen still to come. Resolves without waiting for the
   * open connections: they are the caller's to close.
   */
  close(): Promise<void>;
  /**
   * Stop listening on one channel for `ms` (clients get ECONNREFUSED), then listen again on the
   * same port: IQConnect gone for a while (the `outage` fault). Open connections stay.
   */
  refuse(channel: Channel, ms: number, clock: Clock): void;
}

export async function listen(
  host: string,
  ports: Readonly<Record<Channel, number>>,
  onConnection: (channel: Channel, socket: Socket) => void,
): Promise<Listeners> {
  const servers: Server[] = [];
  const byChannel = {} as Record<Channel, Server>;
  const bound = {} as Record<Channel, number>;
  // Not awaiting the servers' 'close' event: Node fires it only once every accepted connection
  // closed, so one client that stopped reading would hold the whole stop. close() releases the
  // port at once.
  const closeAll = (): void => {
    for (const s of servers) if (s.listening) s.close();
  };
  try {
    for (const channel of CHANNELS) {
      const server = createServer({ noDelay: true }, (socket) => onConnection(channel, socket));
      servers.push(server);
      byChannel[channel] = server;
      bound[channel] = await listenOne(server, host, ports[channel], channel);
    }
  } catch (err) {
    closeAll();
    throw err;
  }
  // The re-listen of each channel in an outage. Cancelled on close: a pending timer would keep
  // the process alive for the rest of the outage after the run ended.
  const relisten = new Map<Channel, Timer>();
  return {
    ports: bound,
    close: async () => {
      for (const timer of relisten.values()) timer.cancel();
      relisten.clear();
      closeAll();
    },
    refuse(channel, ms, clock) {
      const server = byChannel[channel];
      if (relisten.has(channel) || !server.listening) return;
      server.close();
      relisten.set(
        channel,
        clock.setTimeout(() => {
          relisten.delete(channel);
          server.listen(bound[channel], host);
        }, ms),
      );
    },
  };
}

function listenOne(server: Server, host: string, port: number, channel: Channel): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException): void => {
      const inUse = err.code === 'EADDRINUSE';
      reject(
        new L2hError(`cannot listen for ${channel} on ${host}:${port}: ${err.message}`, {
          code: inUse ? 'BAD_USAGE' : 'IO',
          cause: err,
          context: { channel, host, port },
          hint: inUse
            ? `another program (a real IQConnect?) holds the port; pass --port-${channel.toLowerCase()} 0 for a free one`
            : undefined,
        }),
      );
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      const address = server.address();
      resolve(typeof address === 'object' && address !== null ? address.port : port);
    });
  });
}
