import { readFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { expect } from 'vitest';
import type { Env, ServiceHandle } from '../../services/index.js';

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

/**
 * A local handle names its running server process (the command line matches `command`); any
 * other source has no local process to name.
 */
export async function expectLocalPid(handle: ServiceHandle, command: RegExp): Promise<void> {
  if (handle.source !== 'local') {
    expect(handle.localPid).toBeUndefined();
    return;
  }
  const pid = handle.localPid?.() ?? null;
  expect(pid).not.toBeNull();
  const cmdline = (await readFile(`/proc/${pid}/cmdline`, 'latin1')).replaceAll('\0', ' ');
  expect(cmdline).toMatch(command);
}
