import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { expect, vi } from 'vitest';
import type { Env, ServiceHandle } from '../../services/index.js';
import { LocalServer } from '../../services/shared/local-server.js';

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

/**
 * Provisioning that fails after its local server answered (a test mocks the step that fails)
 * must reject with `message`, stop the one server it started, and remove its directory.
 * `started` collects the server, for an afterEach to stop it should provisioning not have.
 */
export async function expectFailedStartStopsServer(
  provision: () => Promise<unknown>,
  message: string,
  started: LocalServer[],
): Promise<void> {
  const pids: number[] = [];
  const start = LocalServer.start.bind(LocalServer);
  vi.spyOn(LocalServer, 'start').mockImplementation(async (spec, ctx) => {
    const server = await start(spec, ctx);
    started.push(server);
    pids.push(server.pid ?? 0);
    return server;
  });
  await expect(provision()).rejects.toThrow(message);
  expect(pids).toHaveLength(1);
  expect(started[0]!.running).toBe(false);
  expect(() => process.kill(pids[0]!, 0)).toThrow(/ESRCH/);
  const spec = vi.mocked(LocalServer.start).mock.calls[0]![0];
  expect(existsSync(spec.dir)).toBe(false);
}
