/**
 * Serves the monitor page with a made-up, moving collector status, to look at it in a browser.
 * Not a test. The status changes every 200 ms (seeded, so two runs look alike).
 *
 *   npx tsc --outDir .cache/monitor-sample --rootDir . --module nodenext --target es2022 \
 *     --skipLibCheck --types node test/collector/monitor/serve-sample.ts
 *   node .cache/monitor-sample/test/collector/monitor/serve-sample.js --port 8765 [--scenario ok|degraded|down|quiet] [--token T]
 *
 * It prints the page's URL (with `?token=` when a token is given: this is a local tool) and runs
 * until SIGINT/SIGTERM.
 */
import { Registry } from 'prom-client';
import { startMonitor } from '../../../collector/monitor/server.js';
import type { CollectorStatus, RateSample, SymbolStatus } from '../../../collector/monitor/status.js';
import { systemClock } from '../../../common/clock.js';
import { createLogger } from '../../../common/logger.js';
import { sampleHistory, sampleStatus } from './sample-status.js';

type Scenario = 'ok' | 'degraded' | 'down' | 'quiet';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** Small seeded PRNG (mulberry32), so the sample moves the same way on every run. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const round = (x: number, places: number) => Number(x.toFixed(places));

function moveBook(y: SymbolStatus, rnd: () => number, tick: number, places: number): SymbolStatus {
  const shift = (rnd() - 0.5 < 0 ? -1 : 1) * tick * (rnd() < 0.3 ? 1 : 0);
  const size = (s: number) => Math.max(1, Math.round(s * (0.8 + rnd() * 0.4)));
  const trade =
    y.lastTrade && rnd() < 0.5
      ? { ...y.lastTrade, price: round(y.lastTrade.price + shift, places + 1) }
      : y.lastTrade;
  return {
    ...y,
    bids: y.bids.map((l) => ({ price: round(l.price + shift, places), size: size(l.size) })),
    asks: y.asks.map((l) => ({ price: round(l.price + shift, places), size: size(l.size) })),
    lastTrade: trade,
    messages: y.messages + Math.round(rnd() * 2000),
  };
}

function scenarioStatus(scenario: Scenario): CollectorStatus {
  const base = sampleStatus();
  if (scenario === 'ok') return base;
  if (scenario === 'quiet') {
    return sampleStatus({
      totals: { ...base.totals, malformed: 0, notFound: 0, noDepth: 0, errors: 0 },
      problems: { notFound: [], noDepth: [], errors: [], malformed: [] },
      symbols: base.symbols.slice(0, 1),
    });
  }
  if (scenario === 'degraded') {
    return sampleStatus({
      state: 'degraded',
      stateReasons: ['sink kafka 827084 lines behind its bound of 500000'],
    });
  }
  return sampleStatus({
    state: 'down',
    stateReasons: [
      'L2 port 127.0.0.1:9200 disconnected for 12 s',
      'sink clickhouse stuck at seq 70920001 for 95 s',
    ],
    ports: base.ports.map((p) =>
      p.channel === 'L2' ? { ...p, connected: false, msSinceLastLine: 12034, reconnects: 4 } : p,
    ),
    sinks: base.sinks.map((s) =>
      s.name === 'clickhouse'
        ? { ...s, stuck: true, mode: 'retrying', lastError: 'ECONNREFUSED 127.0.0.1:18123' }
        : s,
    ),
  });
}

async function main(): Promise<void> {
  const port = Number(arg('port') ?? 0);
  const token = arg('token') ?? process.env.L2H_MONITOR_TOKEN;
  const scenario = (arg('scenario') ?? 'ok') as Scenario;
  const rnd = prng(42);
  let status = scenarioStatus(scenario);
  const history: RateSample[] = sampleHistory(600, Date.now() - 1000);

  const step = () => {
    const now = Date.now();
    const rates = {
      L1: Math.round(1000 + rnd() * 500),
      L2: Math.round(15000 + rnd() * 6000 + (rnd() < 0.05 ? 9000 : 0)),
      ADMIN: rnd() < 0.2 ? 1 : 0,
    };
    status = {
      ...status,
      now: new Date(now).toISOString(),
      rates: scenario === 'down' ? { ...rates, L2: 0 } : rates,
      ratesAt: now,
      ports: status.ports.map((p) => ({
        ...p,
        msSinceLastLine: p.connected
          ? Math.round(rnd() * (p.channel === 'ADMIN' ? 2000 : 40))
          : (p.msSinceLastLine ?? 0) + 200,
      })),
      symbols: status.symbols.map((y) =>
        moveBook(y, rnd, y.symbol === 'EURUSD.FXCM' ? 0.00001 : 0.01, y.symbol === 'EURUSD.FXCM' ? 5 : 2),
      ),
      journal: { ...status.journal, bytes: status.journal.bytes + Math.round(rnd() * 400000) },
    };
  };
  const stepTimer = setInterval(step, 200);
  const secondTimer = setInterval(() => {
    status = { ...status, uptimeS: status.uptimeS + 1 };
    history.push({ t: Date.parse(status.now), rates: status.rates });
    if (history.length > 600) history.shift();
  }, 1000);

  const monitor = await startMonitor({
    host: arg('host'),
    port,
    token,
    status: () => status,
    history: () => history,
    metrics: new Registry(),
    logger: createLogger({ name: 'monitor-sample' }),
    clock: systemClock,
  });
  process.stdout.write(`${monitor.url}${token ? `?token=${encodeURIComponent(token)}` : ''}\n`);
  const stop = () => {
    clearInterval(stepTimer);
    clearInterval(secondTimer);
    void monitor.close().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
