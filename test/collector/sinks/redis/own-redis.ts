/**
 * A redis-server of the test's own on a port it chose, so a test can take it down and bring it
 * back on the same address (no persistence: it comes back empty, the hardest case for the sink),
 * or start it only after a client already tried. The shared service must not be stopped.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock } from '../../../../common/clock.js';
import { redisPing } from '../../../../services/redis/probe.js';
import { freePort } from '../../../../services/shared/free-port.js';
import { pollUntil } from '../../../../services/shared/poll.js';

export interface OwnRedis {
  readonly url: string;
  readonly port: number;
  /** Start the server (again) on the same port; resolves once it answers PING. */
  start(): Promise<void>;
  /** SIGKILL: Redis vanishes mid-command, as in a crash. */
  kill(): Promise<void>;
  dispose(): Promise<void>;
}

export async function ownRedis(): Promise<OwnRedis> {
  const port = await freePort();
  const dir = await mkdtemp(join(tmpdir(), 'l2h-own-redis-'));
  const url = `redis://127.0.0.1:${port}`;
  let child: ChildProcess | null = null;
  const bin = process.env['REDIS_SERVER_BIN'] ?? 'redis-server';
  const kill = async () => {
    const c = child;
    child = null;
    if (c === null || c.exitCode !== null) return;
    const exited = new Promise((resolve) => c.once('exit', resolve));
    c.kill('SIGKILL');
    await exited;
  };
  return {
    url,
    port,
    async start() {
      if (child !== null) return;
      const args = [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        '--dir',
        dir,
      ];
      child = spawn(bin, args, { stdio: 'ignore' });
      await pollUntil(async () => ((await redisPing(url, 500)) ? true : undefined), {
        clock: systemClock,
        timeoutMs: 10_000,
        intervalMs: 25,
        what: `redis-server on port ${port}`,
      });
    },
    kill,
    async dispose() {
      await kill();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
