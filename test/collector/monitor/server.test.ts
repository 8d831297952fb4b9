import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Counter, Gauge, Histogram } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import type { HealthBody } from '../../../collector/monitor/status.js';
import { httpGet, type RunningMonitor, runMonitor } from './monitor-harness.js';
import { parsePrometheusText } from './prometheus-text.js';
import { sampleStatus } from './sample-status.js';

let running: RunningMonitor | null = null;

afterEach(async () => {
  await running?.monitor.close();
  running = null;
});

async function start(): Promise<RunningMonitor> {
  running = await runMonitor();
  return running;
}

describe('monitor HTTP endpoints', () => {
  it('/api/status returns what the status source says at the time of the request', async () => {
    const m = await start();
    const first = await httpGet(`${m.base}/api/status`);
    expect(first.status).toBe(200);
    expect(first.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(JSON.parse(first.body)).toEqual(m.current);

    m.current = sampleStatus({ uptimeS: 3726, rates: { L1: 7, L2: 0.5, ADMIN: 0 } });
    const second = JSON.parse((await httpGet(`${m.base}/api/status`)).body);
    expect(second.uptimeS).toBe(3726);
    expect(second.rates).toEqual({ L1: 7, L2: 0.5, ADMIN: 0 });
  });

  it('/api/history returns the history as given, oldest first', async () => {
    const m = await start();
    const reply = await httpGet(`${m.base}/api/history`);
    expect(reply.status).toBe(200);
    const body = JSON.parse(reply.body);
    expect(body).toEqual(m.history);
    expect(body).toHaveLength(120);
  });

  it('prices survive the trip as the same JSON numbers', async () => {
    const m = await start();
    const body = (await httpGet(`${m.base}/api/status`)).body;
    // The shortest round-trip forms, not rounded and not padded.
    expect(body).toContain('"price":1.0512300000000003');
    expect(body).toContain('"price":187.4,');
    expect(body).toContain('"price":411.125');
  });

  it('/health is 200 for ok and degraded and 503 for down, with the reasons', async () => {
    const m = await start();
    const ok = await httpGet(`${m.base}/health`);
    expect(ok.status).toBe(200);
    expect(JSON.parse(ok.body)).toEqual({
      state: 'ok',
      reasons: [],
      session: 's-20261124-093000',
      uptimeS: 3725,
      now: '2026-11-24T15:32:05.000Z',
    } satisfies HealthBody);

    m.current = sampleStatus({
      state: 'degraded',
      stateReasons: ['sink kafka 827084 lines behind (bound 500000)'],
    });
    const degraded = await httpGet(`${m.base}/health`);
    expect(degraded.status).toBe(200);
    expect(JSON.parse(degraded.body).reasons).toEqual(['sink kafka 827084 lines behind (bound 500000)']);

    m.current = sampleStatus({ state: 'down', stateReasons: ['L2 disconnected'] });
    const down = await httpGet(`${m.base}/health`);
    expect(down.status).toBe(503);
    expect(JSON.parse(down.body)).toMatchObject({ state: 'down', reasons: ['L2 disconnected'] });
  });

  it('/health is 503 when a port is disconnected even if the collector still says ok', async () => {
    const m = await start();
    const base = sampleStatus();
    m.current = sampleStatus({
      ports: base.ports.map((p) => (p.channel === 'L2' ? { ...p, connected: false, reconnects: 3 } : p)),
    });
    const reply = await httpGet(`${m.base}/health`);
    expect(reply.status).toBe(503);
    expect(JSON.parse(reply.body).reasons).toEqual([
      'L2 port 127.0.0.1:9200 disconnected (3 reconnects so far)',
    ]);
  });

  it('/health is 503 and /api/status 500 when the status source throws; the failure is logged', async () => {
    const m = await start();
    m.failWith = new Error('deriver state torn');
    const health = await httpGet(`${m.base}/health`);
    expect(health.status).toBe(503);
    expect(JSON.parse(health.body).state).toBe('down');
    const status = await httpGet(`${m.base}/api/status`);
    expect(status.status).toBe(500);
    expect(status.body).not.toContain('deriver state torn');
    expect(m.logLines.some((l) => l.includes('deriver state torn'))).toBe(true);
  });

  it('/metrics serves the given registry as Prometheus text that parses', async () => {
    const m = await start();
    const lines = new Counter({
      name: 'l2h_lines_total',
      help: 'Lines journaled per channel',
      labelNames: ['channel'],
      registers: [m.registry],
    });
    lines.inc({ channel: 'L2' }, 66410952);
    lines.inc({ channel: 'L1' }, 4512331);
    new Gauge({
      name: 'l2h_sink_lag',
      help: 'Journal head minus checkpoint',
      labelNames: ['sink'],
      registers: [m.registry],
    }).set({ sink: 'kafka' }, 827084);
    const h = new Histogram({
      name: 'l2h_sink_write_seconds',
      help: 'Sink batch write time',
      buckets: [0.01, 0.1, 1],
      registers: [m.registry],
    });
    h.observe(0.05);
    h.observe(0.5);

    const reply = await httpGet(`${m.base}/metrics`);
    expect(reply.status).toBe(200);
    expect(reply.headers['content-type']).toBe(m.registry.contentType);
    const parsed = parsePrometheusText(reply.body);
    expect(parsed.types.get('l2h_lines_total')).toBe('counter');
    expect(parsed.types.get('l2h_sink_write_seconds')).toBe('histogram');
    expect(parsed.value('l2h_lines_total', { channel: 'L2' })).toBe(66410952);
    expect(parsed.value('l2h_lines_total', { channel: 'L1' })).toBe(4512331);
    expect(parsed.value('l2h_sink_lag', { sink: 'kafka' })).toBe(827084);
    expect(parsed.value('l2h_sink_write_seconds_bucket', { le: '0.1' })).toBe(1);
    expect(parsed.value('l2h_sink_write_seconds_bucket', { le: '+Inf' })).toBe(2);
    expect(parsed.value('l2h_sink_write_seconds_count', {})).toBe(2);
  });

  it('serves the page with its stable hooks and a CSP that allows only its own loader inline', async () => {
    const m = await start();
    const page = await httpGet(`${m.base}/`);
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.body).toContain('id="status-badge"');
    expect(page.body).toContain('<canvas id="chart-rates"');
    const csp = String(page.headers['content-security-policy']);
    expect(csp).toMatch(/script-src 'self' 'sha256-[A-Za-z0-9+/]+=*'/);
    expect(csp).toContain("connect-src 'self'");
    expect(page.headers['cache-control']).toBe('no-store');
  });

  it('serves Chart.js from node_modules and the page files, nothing from elsewhere', async () => {
    const m = await start();
    const chart = await httpGet(`${m.base}/assets/chart.umd.js`);
    expect(chart.status).toBe(200);
    expect(chart.headers['content-type']).toBe('text/javascript; charset=utf-8');
    const onDisk = readFileSync(
      join(dirname(createRequire(import.meta.url).resolve('chart.js')), 'chart.umd.js'),
      'utf8',
    );
    expect(chart.body).toBe(onDisk);
    expect((await httpGet(`${m.base}/assets/monitor.js`)).headers['content-type']).toBe(
      'text/javascript; charset=utf-8',
    );
    expect((await httpGet(`${m.base}/assets/monitor.css`)).headers['content-type']).toBe(
      'text/css; charset=utf-8',
    );

    const page = (await httpGet(`${m.base}/`)).body;
    expect(page).not.toMatch(/https?:\/\//); // no CDN, no remote anything
    for (const path of [
      '/assets/../package.json',
      '/assets/%2e%2e/package.json',
      '/package.json',
      '/assets/',
    ]) {
      expect((await httpGet(`${m.base}${path}`)).status, path).toBe(404);
    }
  });

  it('answers HEAD without a body and refuses other methods with 405', async () => {
    const m = await start();
    const head = await httpGet(`${m.base}/api/status`, {}, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
    const post = await httpGet(`${m.base}/api/status`, {}, 'POST');
    expect(post.status).toBe(405);
    expect(post.headers.allow).toBe('GET, HEAD');
  });

  it('without a token, refuses requests addressed to a non-loopback name (DNS rebinding)', async () => {
    const m = await start();
    const rebound = await httpGet(`${m.base}/api/status`, { host: `attacker.example:${m.monitor.port}` });
    expect(rebound.status).toBe(403);
    expect(rebound.body).not.toContain('s-20261124-093000');
    for (const host of [
      `localhost:${m.monitor.port}`,
      `127.0.0.1:${m.monitor.port}`,
      `[::1]:${m.monitor.port}`,
    ]) {
      expect((await httpGet(`${m.base}/api/status`, { host })).status, host).toBe(200);
    }
  });

  it('reports the URL and port it listens on, and closes so the port refuses connections', async () => {
    const m = await start();
    expect(m.monitor.url).toBe(`http://127.0.0.1:${m.monitor.port}/`);
    await m.monitor.close();
    await m.monitor.close(); // twice is harmless
    running = null;
    await expect(httpGet(`${m.base}/health`)).rejects.toThrow(/ECONNREFUSED/);
  });
});
