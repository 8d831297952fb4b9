/**
 * The monitoring and control endpoints through the real collector process: loopback by default;
 * any other address refused without a token; with a token, a request without it gets 401 and
 * one with it is served (header or query). The token is taken from --monitor-token or from
 * L2H_MONITOR_TOKEN.
 */

import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Spawned, spawnCollect } from '../collector/pipeline/child.js';
import { closedPort, tempDir } from '../collector/pipeline/helpers.js';

const TOKEN = 'sEcReT-monitor-token-0123456789abcdef';

let dir = { path: '', cleanup: async () => {} };
const children: Spawned[] = [];
beforeAll(async () => {
  dir = await tempDir('security-monitor');
});
afterEach(async () => {
  for (const c of children.splice(0)) {
    c.child.kill('SIGTERM');
    await c.exit;
  }
});
afterAll(async () => {
  await dir.cleanup();
});

async function collect(
  name: string,
  extra: readonly string[],
  env?: Record<string, string>,
): Promise<Spawned> {
  const port = String(await closedPort());
  const before = { ...process.env };
  if (env) Object.assign(process.env, env);
  try {
    const c = spawnCollect([
      '--symbols',
      'AAPL',
      '--port-l1',
      port,
      '--port-l2',
      port,
      '--port-admin',
      port,
      '--data-dir',
      join(dir.path, name, 'data'),
      '--journal-dir',
      join(dir.path, name, 'journal'),
      '--log-level',
      'warn',
      ...extra,
    ]);
    children.push(c);
    return c;
  } finally {
    for (const k of Object.keys(env ?? {})) {
      if (before[k] === undefined) delete process.env[k];
      else process.env[k] = before[k];
    }
  }
}

function monitorUrl(ready: unknown): URL {
  const m = (ready as { monitor?: unknown }).monitor;
  if (typeof m !== 'string') throw new Error(`no monitor URL in the ready event: ${JSON.stringify(ready)}`);
  return new URL(m);
}

describe('monitor endpoints through the real collector', () => {
  it('bind to 127.0.0.1 by default and serve loopback requests', async () => {
    const c = await collect('default', ['--monitor', ':0']);
    const url = monitorUrl(await c.ready);
    expect(url.hostname).toBe('127.0.0.1');
    const res = await fetch(new URL('/health', url));
    expect([200, 503]).toContain(res.status);
  });

  it('refuse to listen off loopback without a token (exit 2, the host named, no secret printed)', async () => {
    const c = await collect('no-token', ['--monitor', '0.0.0.0:0']);
    const end = await c.exit;
    expect(end.code).toBe(2);
    expect(c.stderr()).toContain('0.0.0.0');
    expect(c.stderr()).toMatch(/token/i);
  });

  for (const via of ['flag', 'env'] as const) {
    it(`off loopback with a token (${via}): 401 without it, served with it`, async () => {
      const c =
        via === 'flag'
          ? await collect(`token-${via}`, ['--monitor', '0.0.0.0:0', '--monitor-token', TOKEN])
          : await collect(`token-${via}`, ['--monitor', '0.0.0.0:0'], { L2H_MONITOR_TOKEN: TOKEN });
      const url = monitorUrl(await c.ready);
      // Requests go to loopback only (this machine); the listener is on every address.
      const base = `http://127.0.0.1:${url.port}`;
      for (const path of ['/health', '/metrics', '/api/status', '/']) {
        const res = await fetch(`${base}${path}`);
        expect(res.status, `${path} without a token`).toBe(401);
        const wrong = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${TOKEN}x` } });
        expect(wrong.status, `${path} with a wrong token`).toBe(401);
      }
      const ok = await fetch(`${base}/health`, { headers: { authorization: `Bearer ${TOKEN}` } });
      expect([200, 503]).toContain(ok.status);
      const byQuery = await fetch(`${base}/api/status?token=${encodeURIComponent(TOKEN)}`);
      expect(byQuery.status).toBe(200);
      // The token never appears in what the collector prints.
      expect(c.stderr()).not.toContain(TOKEN);
      expect(c.stdout.join('\n')).not.toContain(TOKEN);
    });
  }
});
