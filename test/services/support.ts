import { connect } from 'node:net';
import type { Env } from '../../services/index.js';

/** The process environment without the variables that would point provisioning at a given server. */
export function envWithout(...names: string[]): Env {
  const env: Record<string, string | undefined> = { ...process.env };
  for (const name of names) delete env[name];
  return env;
}

/** True when nothing accepts a TCP connection on host:port. */
export function tcpRefuses(hostPort: string): Promise<boolean> {
  const i = hostPort.lastIndexOf(':');
  const host = hostPort.slice(0, i);
  const port = Number(hostPort.slice(i + 1));
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.setTimeout(1_000);
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });
}

/** "http://127.0.0.1:8123" or "redis://127.0.0.1:6379" → "127.0.0.1:8123". */
export function hostPortOf(url: string): string {
  const u = new URL(url);
  return `${u.hostname}:${u.port}`;
}
