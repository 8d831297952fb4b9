import { createServer } from 'node:net';

/**
 * A TCP port that was free a moment ago on `host`. Another process can take it before our
 * server binds it, so callers retry on "Address already in use".
 */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error(`no port from listen(0) on ${host}`))));
    });
  });
}
