/**
 * A TCP proxy on 127.0.0.1 in front of a service, with a byte-rate limit on what clients send
 * to it (a sink's inserts), changeable while it runs: how slow-sink makes a real ClickHouse slow
 * without touching the collector or the server. Replies are forwarded unthrottled. It counts the
 * bytes it forwarded, so a scenario can measure the rate before throttling and during it.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';

export interface ThrottleProxy {
  readonly port: number;
  /** Bytes per second clients may send; null: unlimited. */
  setRate(bytesPerSecond: number | null): void;
  /** Bytes forwarded from clients to the service so far. */
  readonly forwarded: number;
  close(): Promise<void>;
}

export async function startThrottleProxy(targetHost: string, targetPort: number): Promise<ThrottleProxy> {
  let rate: number | null = null;
  let forwarded = 0;
  // One budget shared by every client connection: the service sees one slow pipe.
  let allowanceAt = Date.now();
  const sockets = new Set<Socket>();

  /** When `n` more bytes may go, given the rate: now, or later (ms). */
  const delayFor = (n: number): number => {
    if (rate === null) return 0;
    const now = Date.now();
    allowanceAt = Math.max(allowanceAt, now) + (n / rate) * 1000;
    return Math.max(0, allowanceAt - now);
  };

  const server: Server = createServer((client) => {
    const upstream = connect(targetPort, targetHost);
    sockets.add(client);
    sockets.add(upstream);
    const end = (): void => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', end);
    upstream.on('error', end);
    client.on('close', end);
    upstream.on('close', end);
    upstream.on('data', (d: Buffer) => {
      if (!client.write(d)) upstream.pause();
    });
    client.on('drain', () => upstream.resume());
    client.on('data', (d: Buffer) => {
      forwarded += d.length;
      const wait = delayFor(d.length);
      const ok = upstream.write(d);
      if (wait > 0) {
        // Hold the client until its bytes are within the budget: TCP backpressure does the rest.
        client.pause();
        setTimeout(() => client.resume(), wait);
      } else if (!ok) {
        client.pause();
        upstream.once('drain', () => client.resume());
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    port,
    setRate(bytesPerSecond) {
      rate = bytesPerSecond === null ? null : Math.max(1, bytesPerSecond);
      allowanceAt = Date.now();
    },
    get forwarded() {
      return forwarded;
    },
    close() {
      for (const s of sockets) s.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
