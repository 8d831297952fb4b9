/**
 * slow-sink: ClickHouse reached through a proxy that, after a short unthrottled calibration,
 * limits what the collector sends it to a tenth of the rate it needed to keep up with the feed,
 * for a long stretch of the replay; then the limit is lifted. The sink falls behind by more than
 * its queue holds (`QUEUE_MB`, well under the default, so a CI-sized day outgrows it), leaves
 * live mode and catches up from the journal. Verified: the collector's
 * memory stays under its bound while the lag grows; the lag drains once the limit is lifted;
 * nothing lost in any sink (journal vs each sink, sinks consistent).
 *
 * Sabotage (tests only): the collector's sink runner drops what overflows its queue instead of
 * catching up from the journal (sabotage/no-catchup preloaded); the loss check must catch it.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { type ReplayOutcome, runReplay } from '../replay/replay.js';
import type { Check } from '../results/types.js';
import { runPaths } from '../run-dir.js';
import { journaledThenDrained, scenarioCheck, speedFor, tapeShape } from './common.js';
import type { ReplayControl } from './hooks.js';
import { lagStory, readMetrics } from './lag.js';
import { networkSinks } from './network-sinks.js';
import { withSabotage } from './sabotage.js';
import { scenarioTape } from './tape.js';
import { startThrottleProxy, type ThrottleProxy } from './throttle-proxy.js';
import type { Scenario, ScenarioRunOptions } from './types.js';

/** The sink queue's bound here: the default (512 MiB) would hold a CI-sized day's whole backlog. */
const QUEUE_MB = 16;
const CI = { lines: 300_000, seconds: 30, calibrateS: 4, throttleS: 20, rssLimitMb: 512 };
const FULL = { lines: 2_000_000, seconds: 300, calibrateS: 15, throttleS: 240, rssLimitMb: 512 };

interface Throttle {
  readonly calibratedBytesPerS: number;
  readonly limitBytesPerS: number;
  readonly fromS: number;
  readonly toS: number;
  readonly bytesDuring: number;
  /** The sink's modes the collector reported while throttled (`catch-up`: the journal took over). */
  readonly modesSeen: readonly string[];
}

export const slowSink: Scenario = {
  name: 'slow-sink',
  description:
    'ClickHouse throttled to a tenth of the rate it needs for minutes: memory bounded, the journal absorbs it, nothing lost',
  seed: 5005,
  ci: CI,
  full: FULL,
  sabotage:
    'the sink runner drops what overflows its queue instead of catching up (sabotage/no-catchup preloaded)',
  needs: ['clickhouse', 'kafka'],
  async run(o: ScenarioRunOptions): Promise<ReplayOutcome> {
    const size = { ...(o.full ? FULL : CI), ...o.size };
    const seed = o.seed ?? this.seed;
    const tape = o.tape ?? (await scenarioTape(seed, size.lines));
    const shape = await tapeShape(tape);
    const sinks = await networkSinks(o.logger);
    const target = new URL(sinks.services.clickhouse!.url);
    const proxy = await startThrottleProxy(target.hostname, Number(target.port || 8123));
    const viaProxy = new URL(target.href);
    viaProxy.host = `127.0.0.1:${proxy.port}`;
    const throttles: Throttle[] = [];
    try {
      return await withSabotage(o.sabotage ? 'no-catchup' : null, () =>
        runReplay({
          tape,
          out: o.out,
          speed: speedFor(shape, size.seconds),
          rate: null,
          sinks: ['jsonl', 'clickhouse'],
          depth: 10,
          seed,
          timeoutMs: o.timeoutMs ?? (o.full ? 3_600_000 : 300_000),
          command: o.command,
          scenario: 'slow-sink',
          logger: o.logger,
          collectorArgs: [
            ...sinks
              .collectorArgs(viaProxy.href)
              .map((a) => (a === 'jsonl,clickhouse,kafka' ? 'jsonl,clickhouse' : a)),
            '--sink-queue-mb',
            String(QUEUE_MB),
          ],
          sinkSources: sinks.sources(runPaths(resolve(o.out))).filter((s) => s.name === 'clickhouse'),
          services: { clickhouse: sinks.services.clickhouse!.describe() },
          hooks: {
            duringReplay: (c) => throttle(c, proxy, size.calibrateS, size.throttleS, throttles),
            afterTapeEnd: (c, sent) => journaledThenDrained(c, sent, 600_000),
            extraChecks: (c) => slowChecks(c, throttles, size.rssLimitMb),
          },
        }),
      );
    } finally {
      await proxy.close();
      await sinks.services.stopAll();
    }
  },
};

async function throttle(
  c: ReplayControl,
  proxy: ThrottleProxy,
  calibrateS: number,
  throttleS: number,
  out: Throttle[],
): Promise<void> {
  const t0 = Date.now();
  const sleepUntil = async (when: number): Promise<void> => {
    // The schedule is the condition: the throttle starts and ends at planned times.
    while (Date.now() < when && !c.tapeEnded()) await new Promise((r) => setTimeout(r, 50));
  };
  // Calibrate after the start-up (schema creation, first batches) has passed.
  await sleepUntil(t0 + 1000);
  const b0 = proxy.forwarded;
  const c0 = Date.now();
  await sleepUntil(t0 + 1000 + calibrateS * 1000);
  const calibrated = ((proxy.forwarded - b0) / Math.max(1, Date.now() - c0)) * 1000;
  const limit = Math.max(1024, Math.floor(calibrated / 10));
  const fromS = (Date.now() - t0) / 1000;
  const f0 = proxy.forwarded;
  proxy.setRate(limit);
  const modes = new Set<string>();
  const until = Date.now() + throttleS * 1000;
  while (Date.now() < until && !c.tapeEnded()) {
    const st = await c.readStatus();
    const mode = st?.sinks.find((x) => x.name === 'clickhouse')?.mode;
    if (mode) modes.add(mode);
    await sleepUntil(Math.min(until, Date.now() + 500));
  }
  proxy.setRate(null);
  out.push({
    calibratedBytesPerS: Math.round(calibrated),
    limitBytesPerS: limit,
    fromS,
    toS: (Date.now() - t0) / 1000,
    bytesDuring: proxy.forwarded - f0,
    modesSeen: [...modes],
  });
}

async function slowChecks(
  c: ReplayControl,
  throttles: readonly Throttle[],
  rssLimitMb: number,
): Promise<Check[]> {
  const samples = await readMetrics(c.paths.metrics);
  const status = await c.readStatus();
  const t = throttles[0];
  const checks: Check[] = [];
  const throttledRate = t ? t.bytesDuring / Math.max(0.001, t.toS - t.fromS) : 0;
  checks.push(
    scenarioCheck(
      'sink-throttled',
      'ClickHouse was throttled to a tenth of the rate it needed, for the planned stretch',
      'throttle applied; rate during it ≤ 1/10 of the calibrated rate (+ 10 %)',
      t
        ? `calibrated ${Math.round(t.calibratedBytesPerS / 1024)} KiB/s, limited to ${Math.round(t.limitBytesPerS / 1024)} KiB/s for ${Math.round(t.toS - t.fromS)} s; forwarded ${Math.round(throttledRate / 1024)} KiB/s during it`
        : 'the throttle never started (the tape ended first)',
      t !== undefined && throttledRate <= t.limitBytesPerS * 1.1 + (64 * 1024) / Math.max(1, t.toS - t.fromS),
      { details: { throttle: t ?? null } },
    ),
  );
  const story = t ? lagStory(samples, 'clickhouse', t.fromS, t.toS) : null;
  // The status shows `retrying` rather than `catch-up` while a slow insert is retried, so the
  // collector's own log says whether the sink left its queue for the journal.
  const catchUps = await catchUpsLogged(c.paths.collectorLog, 'clickhouse');
  const finalLag = status?.sinks.find((s) => s.name === 'clickhouse')?.lag ?? null;
  checks.push(
    scenarioCheck(
      'journal-absorbed',
      'The journal absorbed the backlog: the lag grew while throttled and drained after',
      'lag peak > lag before; the sink left its queue for the journal (catch-up); drained after; final lag 0',
      story
        ? `lag ${story.before} before, peak ${story.peak}${story.peakAtS !== null ? ` at ${story.peakAtS} s` : ''}, ${story.drainedAtS !== null ? `drained at ${story.drainedAtS} s` : 'never drained'}; modes seen ${t?.modesSeen.join(', ') || 'none'}, catch-ups from the journal ${catchUps}; final lag ${finalLag ?? '?'}`
        : 'no throttle, no story',
      story !== null &&
        story.peak > story.before &&
        (catchUps > 0 || (t?.modesSeen.includes('catch-up') ?? false)) &&
        story.drainedAtS !== null &&
        finalLag === 0,
      {
        counts: { lagPeak: story?.peak ?? 0, finalLag: finalLag ?? -1, catchUps },
        details: { series: story?.series ?? [] },
        files: ['metrics.jsonl'],
      },
    ),
  );
  const rss = samples.map((s) => s.rssMb['collector'] ?? 0).filter((x) => x > 0);
  const maxRss = rss.length > 0 ? Math.max(...rss) : 0;
  const firstRss = rss[0] ?? 0;
  checks.push(
    scenarioCheck(
      'memory-bounded',
      'The collector’s memory stayed bounded while the sink fell behind',
      `collector RSS ≤ ${rssLimitMb} MB throughout`,
      `collector RSS ${Math.round(firstRss)} MB at start, at most ${Math.round(maxRss)} MB, with the sink up to ${story?.peak ?? 0} journal lines behind`,
      rss.length > 0 && maxRss <= rssLimitMb,
      {
        counts: {
          rssStartMb: Math.round(firstRss),
          rssMaxMb: Math.round(maxRss),
          limitMb: rssLimitMb,
          samples: rss.length,
        },
      },
    ),
  );
  return checks;
}

/** Times the collector logged `sink` starting to catch up from the journal (its JSON log lines). */
async function catchUpsLogged(logFile: string, sink: string): Promise<number> {
  const text = await readFile(logFile, 'utf8').catch(() => '');
  let n = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      const o = JSON.parse(line) as { sink?: unknown; msg?: unknown };
      if (o.sink === sink && typeof o.msg === 'string' && /catching up from the journal/.test(o.msg)) n++;
    } catch {
      // Not a log record.
    }
  }
  return n;
}
