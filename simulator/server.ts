/**
 * The three listeners (Level 1, Level 2, admin). They only accept: every byte after that is the
 * sessions' business.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { CHANNELS, type Channel } from '../collector/protocol/channel.js';
import type { Clock } from '../common/clock.js';
import { L2hError } from '../common/errors.js';

export interface Listeners {
  /** The ports actually bound (a requested 0 becomes the port the system picked). */
  readonly ports: Readonly<Record<Channel, number>>;
  /** Stop accepting; open connections are the caller's to close. */
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
  let closed = false;
  const closeAll = (): Promise<void> =>
    Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve())))).then(() => {});
  try {
    for (const channel of CHANNELS) {
      const server = createServer({ noDelay: true }, (socket) => onConnection(channel, socket));
      servers.push(server);
      byChannel[channel] = server;
      bound[channel] = await listenOne(server, host, ports[channel], channel);
    }
  } catch (err) {
    await closeAll();
    throw err;
  }
  const refusing = new Set<Channel>();
  return {
    ports: bound,
    close: () => {
      closed = true;
      return closeAll();
    },
    refuse(channel, ms, clock) {
      const server = byChannel[channel];
      if (refusing.has(channel) || !server.listening) return;
      refusing.add(channel);
      server.close();
      clock.setTimeout(() => {
        refusing.delete(channel);
        if (closed) return;
        server.listen(bound[channel], host);
      }, ms);
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
