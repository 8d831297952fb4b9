import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { isLoopbackHost } from '../../../collector/monitor/auth.js';
import { startMonitor } from '../../../collector/monitor/server.js';
import { ManualClock } from '../../../common/clock.js';
import { L2hError } from '../../../common/errors.js';
import {
  capturingLogger,
  httpGet,
  RecordingClient,
  type RunningMonitor,
  runMonitor,
  type StartOptions,
  waitFor,
} from './monitor-harness.js';
import { sampleHistory, sampleStatus } from './sample-status.js';

const TOKEN = 'tok-3f9a1c27e5b84d06a2';
const ENDPOINTS = [
  '/',
  '/index.html',
  '/assets/monitor.js',
  '/assets/monitor.css',
  '/assets/chart.umd.js',
  '/api/status',
  '/api/history',
  '/metrics',
  '/health',
];

let running: RunningMonitor | null = null;
const clients: RecordingClient[] = [];

async function start(options: StartOptions = {}): Promise<RunningMonitor> {
  running = await runMonitor(options);
  return running;
}

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await running?.monitor.close();
  running = null;
});

function ws(m: RunningMonitor, query: string, headers: Record<string, string> = {}): RecordingClient {
  const c = new RecordingClient(`ws://127.0.0.1:${m.monitor.port}/ws${query}`, headers);
  clients.push(c);
  return c;
}

async function refusal(host: string, token: string | undefined): Promise<L2hError> {
  const { logger, lines } = capturingLogger();
  const err = await startMonitor({
    host,
    port: 0,
    token,
    status: () => sampleStatus(),
    history: () => [],
    metrics: new Registry(),
    logger,
    clock: new ManualClock(),
  }).then(
    async (handle) => {
      await handle.close();
      throw new Error(`startMonitor on ${host} should have refused`);
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(L2hError);
  if (token) expect(lines.join('\n')).not.toContain(token);
  return err as L2hError;
}

describe('binding', () => {
  it.each([
    ['127.0.0.1', true],
    ['127.8.9.10', true],
    ['localhost', true],
    ['::1', true],
    ['[::1]', true],
    ['::ffff:127.0.0.1', true],
    ['0.0.0.0', false],
    ['::', false],
    ['10.1.2.3', false],
    ['::ffff:10.0.0.1', false],
    ['monitor.example', false],
    ['128.0.0.1', false],
  ])('%s is loopback: %s', (host, loopback) => {
    expect(isLoopbackHost(host)).toBe(loopback);
  });

  it('refuses to listen on a non-loopback address without a token, saying how to fix it', async () => {
    for (const host of ['0.0.0.0', '::', '192.0.2.10']) {
      const err = await refusal(host, undefined);
      expect(err.code).toBe('BAD_USAGE');
      expect(err.message).toBe(`the monitor refuses to listen on ${host} without a token`);
      expect(err.context).toEqual({ host });
      expect(err.hint).toContain('--monitor-token');
      expect(err.hint).toContain('L2H_MONITOR_TOKEN');
    }
  });

  it('refuses a token too short or with spaces, without repeating the token', async () => {
    for (const bad of ['short-token', 'a token with spaces in it']) {
      const err = await refusal('0.0.0.0', bad);
      expect(err.code).toBe('BAD_USAGE');
      expect(err.describe()).not.toContain(bad);
      expect(err.context.tokenLength).toBe(bad.length);
    }
  });

  it('listens on all interfaces when given a token', async () => {
    const m = await start({ host: '0.0.0.0', token: TOKEN });
    expect(m.monitor.url).toBe(`http://0.0.0.0:${m.monitor.port}/`);
    expect((await httpGet(`${m.base}/health`, { authorization: `Bearer ${TOKEN}` })).status).toBe(200);
    expect((await httpGet(`${m.base}/health`)).status).toBe(401);
  });
});

describe('token', () => {
  it('every HTTP endpoint answers 401 without the token or with a wrong one, 200 with it', async () => {
    const m = await start({ token: TOKEN });
    for (const path of ENDPOINTS) {
      const none = await httpGet(`${m.base}${path}`);
      expect(none.status, `${path} without token`).toBe(401);
      expect(none.headers['www-authenticate']).toBe('Bearer realm="l2h-monitor"');
      expect((await httpGet(`${m.base}${path}?token=${TOKEN}x`)).status, `${path} wrong token`).toBe(401);
      expect((await httpGet(`${m.base}${path}`, { authorization: `Bearer ${TOKEN.slice(1)}` })).status).toBe(
        401,
      );
      expect(
        (await httpGet(`${m.base}${path}`, { authorization: `Bearer ${TOKEN}` })).status,
        `${path} bearer`,
      ).toBe(200);
      expect((await httpGet(`${m.base}${path}?token=${TOKEN}`)).status, `${path} query`).toBe(200);
    }
    // A 401 gives nothing away.
    expect((await httpGet(`${m.base}/api/status`)).body).not.toContain('s-20261124');
    // With a token the Host check gives way: the token is what is checked.
    const viaName = await httpGet(`${m.base}/health?token=${TOKEN}`, {
      host: `monitor.example:${m.monitor.port}`,
    });
    expect(viaName.status).toBe(200);
  });

  it('the WebSocket upgrade answers 401 without the token and opens with it (query or header)', async () => {
    const m = await start({ token: TOKEN });
    const none = ws(m, '');
    const wrong = ws(m, `?token=${TOKEN.toUpperCase()}`);
    const query = ws(m, `?token=${encodeURIComponent(TOKEN)}`);
    const header = ws(m, '', { authorization: `Bearer ${TOKEN}` });
    await waitFor(
      'all four answered',
      () =>
        [none, wrong].every((c) => c.refusedWith !== null) &&
        [query, header].every((c) => c.statuses().length === 1),
    );
    expect(none.refusedWith).toBe(401);
    expect(wrong.refusedWith).toBe(401);
    expect(none.messages).toHaveLength(0);
    expect(query.statuses()[0]).toEqual(m.current);
    expect(header.statuses()[0]).toEqual(m.current);
  });

  it('never appears in a response body, a pushed message or a log line', async () => {
    const m = await start({ token: TOKEN });
    m.history = sampleHistory(3, Date.parse('2026-11-24T15:32:04Z'));
    const bodies: string[] = [];
    for (const path of [...ENDPOINTS, '/nowhere', '/ws']) {
      const headerSets: Record<string, string>[] = [
        {},
        { authorization: `Bearer ${TOKEN}` },
        { authorization: 'Bearer wrong-wrong-wrong' },
      ];
      for (const headers of headerSets) {
        const r = await httpGet(`${m.base}${path}`, headers);
        bodies.push(r.body, JSON.stringify(r.headers));
      }
      for (const query of [`?token=${TOKEN}`, `?token=${TOKEN}-not`]) {
        const r = await httpGet(`${m.base}${path}${query}`);
        bodies.push(r.body, JSON.stringify(r.headers));
      }
      bodies.push((await httpGet(`${m.base}${path}?token=${TOKEN}`, {}, 'DELETE')).body);
    }
    const open = ws(m, `?token=${TOKEN}`);
    const refused = ws(m, `?token=${TOKEN}-not`);
    await waitFor('one open, one refused', () => open.statuses().length === 1 && refused.refusedWith === 401);
    bodies.push(...open.raw, refused.refusalBody);
    await m.monitor.close();
    running = null;

    expect(bodies.length).toBeGreaterThan(100);
    expect(bodies.find((b) => b.includes(TOKEN))).toBeUndefined();
    expect(m.logLines.length).toBeGreaterThan(2); // listening, refusals (debug), closed
    expect(m.logLines.find((l) => l.includes(TOKEN))).toBeUndefined();
    expect(m.logLines.some((l) => l.includes('monitor request refused'))).toBe(true);
  });
});

describe('Host check without a token', () => {
  it.each([
    ['127.0.0.1', 200],
    ['localhost:8090', 200],
    ['[::1]', 200],
    ['[::1]:8090', 200],
    ['evil.example', 403],
    // Only a port may follow the bracketed address: anything else makes it another name.
    ['[::1].evil.example', 403],
    ['[::1]evil.example', 403],
    ['[::1]:80.evil.example', 403],
    ['[::1]:', 403],
    ['[::1', 403],
  ])('Host %s answers %i', async (host, status) => {
    const m = await start();
    expect((await httpGet(`${m.base}/health`, { host })).status).toBe(status);
  });
});
