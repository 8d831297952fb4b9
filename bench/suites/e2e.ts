import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../../common/logger.js';
import { cpuSeconds } from '../../harness/replay/process-stats.js';
import { type ProvisionedServices, provisionServices } from '../../services/index.js';
import { benchTape } from '../bench-tape.js';
import { type BenchFigure, figure } from '../figure.js';
import { type PipelineRunResult, runPipeline } from '../pipeline-run.js';
import type { BenchContext, BenchSuite } from '../suite.js';
import { bestLoopback, tapeLineMix } from './loopback.js';

/**
 * End-to-end replay: the simulator at `--speed max` and the collector as two processes (as
 * `l2h replay` runs them) over a generated day, messages/s from the slowest sink's checkpoint
 * advance in steady state (bench/pipeline-run.ts).
 *
 * - `e2e`: JSONL only, best of three runs, beside the loopback ceiling on the same line mix in the
 *   same run. The target is the absolute one (≥ 250k msgs/s); the ratio to the ceiling is printed beside it
 *   (the issue's "≥ 30 % of the ceiling" cannot hold against a bare pump of ~10M lines/s).
 * - `e2e-sinks`: JSONL, ClickHouse and Kafka together (the three sinks whose target is ≥ 100k
 *   msgs/s), twice: at `--speed max`, where the feed outruns the sinks, so they overflow their
 *   queues and catch up from the journal (the figure is how fast they catch up); and with the
 *   feed paced a little above the target (`SUSTAINED_RATE`), where the question is whether every
 *   sink keeps up live (its overflows and lag are in the note). Then with Redis as well
 *   (services from `provisionServices`: env URLs, else containers, else local processes on this
 *   machine), beside JSONL only in the same run. Then each sink's lag over the paced and the
 *   four-sink runs (max, p50, p90 in journal lines, how long after the last line it caught up,
 *   and its queue overflows), and — when the services run here as local processes — the CPU
 *   per journal line of the services and of every process of the run, which bound what the
 *   machine can carry.
 */

export const E2E_TARGET = 250_000;
export const ALL_SINKS_TARGET = 100_000;
/** The paced run's feed rate: the target with 5 % to spare, so a pass is not a rounding. */
export const SUSTAINED_RATE = 105_000;

function tapeLines(context: BenchContext): number {
  return context.quick ? 200_000 : 1_000_000;
}

async function jsonlRun(context: BenchContext, tape: string, dir: string) {
  const r = await runPipeline({
    tape,
    dir,
    sinks: ['jsonl'],
    cpuProfDir: context.cpuProfDir,
    timeoutMs: 600_000,
  });
  context.log(
    `JSONL only: ${Math.round(r.linesPerSecond)} msgs/s end to end (journal ingest ${Math.round(r.ingestPerSecond)}/s; ${wholeRunNote(r)}), ` +
      `${r.lines} lines; CPU s collector ${r.cpuSeconds.collector}, simulator ${r.cpuSeconds.simulator}; ` +
      `peak RSS collector ${r.peakRssMb.collector} MB`,
  );
  return r;
}

export const e2eSuite: BenchSuite = {
  name: 'e2e',
  description: 'end-to-end replay msgs/s, JSONL sink only, beside the loopback ceiling on the same lines',
  async run(context): Promise<readonly BenchFigure[]> {
    const tape = await benchTape(context.cacheDir, tapeLines(context), context.log);
    const dir = await mkdtemp(join(tmpdir(), 'l2h-bench-e2e-'));
    try {
      const ceiling = await bestLoopback(
        tapeLineMix(20_000),
        context.quick ? 1_000_000 : 3_000_000,
        context.quick ? 1 : 2,
      );
      context.log(`loopback ceiling, same line mix: ${Math.round(ceiling.linesPerSecond)} lines/s`);
      // Best of three, like the other throughput figures here: one 1M-line run swings between
      // ~200k and ~290k msgs/s with the machine's other load (measured, same commit, back to
      // back); the note keeps every run, so the spread stays visible.
      const runs = [];
      for (let i = 0; i < (context.quick ? 1 : 3); i++)
        runs.push(await jsonlRun(context, tape, join(dir, `jsonl-${i}`)));
      const r = runs.reduce((best, x) => (x.linesPerSecond > best.linesPerSecond ? x : best));
      return [
        figure({
          name: 'end-to-end replay, JSONL only (--speed max)',
          value: Math.round(r.linesPerSecond),
          unit: 'msgs/s',
          baseline: {
            name: 'loopback pump+reader, same line mix',
            value: Math.round(ceiling.linesPerSecond),
          },
          target: { op: '>=', value: E2E_TARGET },
          note:
            `best of ${runs.length} runs (${runs.map((x) => Math.round(x.linesPerSecond)).join(', ')} msgs/s); ` +
            `${r.lines} lines; steady window ${r.seconds.toFixed(1)} s; journal ingest ${Math.round(r.ingestPerSecond)}/s; ` +
            `CPU s: collector ${r.cpuSeconds.collector}, simulator ${r.cpuSeconds.simulator}`,
        }),
      ];
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },
};

/** CPU seconds of each service this run started as a local process (others are not ours to read). */
async function serviceCpuSeconds(services: ProvisionedServices): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const handle of [services.clickhouse, services.kafka, services.redis]) {
    const pid = handle?.localPid?.() ?? null;
    if (handle === null || pid === null) continue;
    const seconds = await cpuSeconds(pid);
    if (seconds !== null) out[handle.name] = seconds;
  }
  return out;
}

interface SinksRun {
  readonly result: PipelineRunResult;
  /** µs of CPU per journal line, per local service the run wrote to (empty when none is local). */
  readonly serviceUsPerLine: Readonly<Record<string, number>>;
}

async function sinksRun(
  context: BenchContext,
  tape: string,
  dir: string,
  sinks: readonly string[],
  services: ProvisionedServices,
  rate?: number,
): Promise<SinksRun> {
  const env: Record<string, string> = {
    CLICKHOUSE_URL: services.clickhouse!.url,
    KAFKA_BROKERS: services.kafka!.brokers.join(','),
  };
  if (services.redis) env.REDIS_URL = services.redis.url;
  const before = await serviceCpuSeconds(services);
  const result = await runPipeline({
    tape,
    dir,
    sinks,
    env,
    rate,
    cpuProfDir: context.cpuProfDir,
    timeoutMs: 900_000,
  });
  const after = await serviceCpuSeconds(services);
  const serviceUsPerLine: Record<string, number> = {};
  for (const [name, seconds] of Object.entries(after)) {
    if (before[name] === undefined || !sinks.includes(name)) continue;
    serviceUsPerLine[name] = Number((((seconds - before[name]) * 1e6) / result.lines).toFixed(2));
  }
  context.log(
    `${sinks.join('+')} (${rate ? `feed paced at ${rate}/s` : '--speed max'}): ${Math.round(result.linesPerSecond)} msgs/s end to end ` +
      `(${wholeRunNote(result)}); ` +
      `${cpuNote({ result, serviceUsPerLine })}; queue overflows ${JSON.stringify(result.sinkOverflows)}`,
  );
  for (const [sink, lag] of Object.entries(result.sinkLag)) {
    context.log(
      `  ${sink} lag over the run: max ${lag.max}, p90 ${lag.p90}, p50 ${lag.p50} lines; ` +
        `caught up ${lag.drainSeconds.toFixed(1)} s after the journal's last line`,
    );
  }
  return { result, serviceUsPerLine };
}

/** The whole run's rate, start-up and drain included, beside the steady window's. */
function wholeRunNote(result: PipelineRunResult): string {
  return `whole run, first line journaled to every sink durable at the last: ${Math.round(result.wholeRunPerSecond)} msgs/s`;
}

/** The collector's CPU seconds and the local services' CPU per line of a run. */
function cpuNote(run: SinksRun): string {
  return `CPU s collector ${run.result.cpuSeconds.collector}; services µs CPU per line ${JSON.stringify(run.serviceUsPerLine)}`;
}

function lagNote(result: PipelineRunResult): string {
  return Object.entries(result.sinkLag)
    .map(
      ([sink, lag]) =>
        `${sink} max ${lag.max}, p90 ${lag.p90} (drained ${lag.drainSeconds.toFixed(1)} s after; ` +
        `${result.sinkOverflows[sink] ?? 0} queue overflows)`,
    )
    .join('; ');
}

export const e2eSinksSuite: BenchSuite = {
  name: 'e2e-sinks',
  description:
    'end-to-end replay msgs/s with JSONL+ClickHouse+Kafka, then with Redis too, beside JSONL only; services CPU per line',
  async run(context): Promise<readonly BenchFigure[]> {
    const tape = await benchTape(context.cacheDir, tapeLines(context), context.log);
    const dir = await mkdtemp(join(tmpdir(), 'l2h-bench-e2e-sinks-'));
    const logger = createLogger({ name: 'bench-e2e', level: 'warn' });
    const services = await provisionServices({ clickhouse: true, kafka: true, redis: true, logger });
    try {
      context.log(
        `services: ${Object.entries(services.describe())
          .map(([k, v]) => `${k}=${v}`)
          .join(', ')}`,
      );
      const baseline = await jsonlRun(context, tape, join(dir, 'jsonl'));
      const threeSinks = ['jsonl', 'clickhouse', 'kafka'];
      const run = (name: string, sinks: readonly string[], rate?: number) =>
        sinksRun(context, tape, join(dir, name), sinks, services, rate);
      const three = await run('three', threeSinks);
      const paced = await run('three-paced', threeSinks, SUSTAINED_RATE);
      const all = await run('all', [...threeSinks, 'redis']);
      const jsonlBaseline = {
        name: 'end-to-end JSONL only, same run',
        value: Math.round(baseline.linesPerSecond),
      };
      /** The slowest sink's steady rate of `r`, against JSONL only and the all-sinks target. */
      const throughput = (name: string, r: SinksRun, note: string) =>
        figure({
          name,
          value: Math.round(r.result.linesPerSecond),
          unit: 'msgs/s',
          baseline: jsonlBaseline,
          target: { op: '>=', value: ALL_SINKS_TARGET },
          note,
        });
      const lagFigures = (run: PipelineRunResult, which: string) =>
        Object.entries(run.sinkLag).map(([sink, lag]) =>
          figure({
            name: `${sink} sink lag over the ${which} run, max`,
            value: lag.max,
            unit: 'lines',
            better: 'lower',
            note:
              `journal lines not yet held by the sink, from ${lag.samples} status snapshots: p50 ${lag.p50}, p90 ${lag.p90}; ` +
              `caught up ${lag.drainSeconds.toFixed(1)} s after the journal's last line; ` +
              `queue overflows ${run.sinkOverflows[sink] ?? 0}`,
          }),
        );
      const figures = [
        throughput(
          'end-to-end replay, JSONL+ClickHouse+Kafka (--speed max)',
          three,
          `${three.result.lines} lines; ${wholeRunNote(three.result)}; ${cpuNote(three)}; lag: ${lagNote(three.result)}`,
        ),
        throughput(
          `end-to-end replay, JSONL+ClickHouse+Kafka, feed paced at ${SUSTAINED_RATE} msgs/s`,
          paced,
          `the slowest sink's steady rate with the feed at ${SUSTAINED_RATE}/s (a sink that cannot keep up ` +
            `overflows its queue, catches up from the journal and falls below); ${paced.result.lines} lines; ` +
            `${wholeRunNote(paced.result)}; ` +
            `${cpuNote(paced)}; lag: ${lagNote(paced.result)}`,
        ),
        throughput(
          'end-to-end replay, JSONL+ClickHouse+Kafka+Redis (--speed max)',
          all,
          `${all.result.lines} lines; ${wholeRunNote(all.result)}; services ${JSON.stringify(services.describe())}; ${cpuNote(all)}`,
        ),
      ];
      // When both services run here as local processes, their CPU can be read: every process of
      // the run shares these cores, so what they all cost per line bounds the rate whatever any
      // one of them does, and shows whose share is the largest; the services' share alone bounds
      // it even with a collector that cost nothing.
      if (Object.keys(three.serviceUsPerLine).length === 2) {
        const cores = cpus().length;
        const lines = three.result.lines;
        const processUs = {
          collector: (three.result.cpuSeconds.collector * 1e6) / lines,
          simulator: (three.result.cpuSeconds.simulator * 1e6) / lines,
          ...three.serviceUsPerLine,
        };
        const totalUs = Object.values(processUs).reduce((a, b) => a + b, 0);
        const servicesUs = Object.values(three.serviceUsPerLine).reduce((a, b) => a + b, 0);
        figures.push(
          figure({
            name: 'CPU of every process per line (JSONL+ClickHouse+Kafka --speed max run)',
            value: Number(totalUs.toFixed(2)),
            unit: 'µs/line',
            better: 'lower',
            note:
              `${Object.entries(processUs)
                .map(([k, v]) => `${k} ${v.toFixed(2)}`)
                .join(', ')} µs/line, over the whole run (start-up and drain included): at this cost ` +
              `${cores} fully busy cores average ${Math.round((cores * 1e6) / totalUs)} lines/s ` +
              `(the run's steady middle window: ${Math.round(three.result.linesPerSecond)})`,
          }),
        );
        if (servicesUs > 0) {
          figures.push(
            figure({
              name: 'ClickHouse+Kafka services CPU per line (local processes, JSONL+ClickHouse+Kafka run)',
              value: Number(servicesUs.toFixed(2)),
              unit: 'µs/line',
              better: 'lower',
              note:
                `${JSON.stringify(three.serviceUsPerLine)}; on ${cores} cores the services alone allow at most ` +
                `${Math.round((cores * 1e6) / servicesUs)} lines/s with a collector that costs nothing`,
            }),
          );
        }
      }
      return [
        ...figures,
        ...lagFigures(paced.result, `three-sink paced (${SUSTAINED_RATE}/s)`),
        ...lagFigures(all.result, 'all-sinks --speed max'),
      ];
    } finally {
      await services.stopAll();
      await rm(dir, { recursive: true, force: true });
    }
  },
};
