import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { openTape } from '../collector/tape/reader.js';
import { l2hCliPath } from '../common/cli-path.js';
import { L2hError } from '../common/errors.js';
import { type Child, spawnChild } from '../harness/replay/child.js';
import { cpuSeconds } from '../harness/replay/process-stats.js';
import { quantile } from './measure.js';

/**
 * The simulator and the collector as two processes, as `l2h replay` runs them, but measured
 * rather than verified (verification of a 10M-line day would dwarf the run): for the end-to-end
 * and memory figures of `npm run bench`.
 *
 * Throughput is read from the collector's status file, which carries the collector's own clock
 * (`now`) with each snapshot: messages/s = how far the slowest sink's checkpoint (in journal
 * seq, i.e. lines) moved between two snapshots, over the middle of the run (10 %–90 % of the
 * lines), so start-up and the final drain do not blur the steady rate; beside it, the whole run's
 * rate (first line journaled to every sink durable at the last line). The collector rewrites its
 * status every 200 ms here: a 1M-line run lasts a few seconds, and snapshots a second apart would
 * leave each end of the window a second uncertain. Peak memory is the
 * kernel's high-water mark (VmHWM) of the collector, read until it stops.
 */
export interface PipelineRunOptions {
  readonly tape: string;
  readonly dir: string;
  readonly sinks: readonly string[];
  /** `--speed max` unless a fixed rate is given. */
  readonly rate?: number;
  readonly cpuProfDir?: string | null;
  /** Environment for both processes (service URLs). */
  readonly env?: Readonly<Record<string, string>>;
  readonly collectorArgs?: readonly string[];
  readonly timeoutMs: number;
}

export interface PipelineRunResult {
  /** L1 + L2 (+ admin) lines the collector journaled. */
  readonly lines: number;
  /** Steady end-to-end rate: slowest sink checkpoint advance, lines/s. */
  readonly linesPerSecond: number;
  /**
   * Lines over the time from the first snapshot with a journaled line to the first with every
   * sink durable at the last line: start-up and the final drain included.
   */
  readonly wholeRunPerSecond: number;
  /** Journal ingest rate over the same window. */
  readonly ingestPerSecond: number;
  readonly seconds: number;
  readonly peakRssMb: { readonly collector: number; readonly simulator: number };
  readonly cpuSeconds: { readonly collector: number; readonly simulator: number };
  /** The collector's status at the end (latency histograms included). */
  readonly finalStatus: StatusSnapshot;
  /** Per sink, over the whole run (status snapshots every ~200 ms). */
  readonly sinkLag: Readonly<Record<string, SinkLagOverRun>>;
  /** Per sink, times its queue overflowed and it caught up from the journal (0: live throughout). */
  readonly sinkOverflows: Readonly<Record<string, number>>;
}

/** How far one sink trailed the journal head over a run, in journal lines. */
export interface SinkLagOverRun {
  readonly max: number;
  readonly p50: number;
  readonly p90: number;
  /** Seconds from the journal's last line to this sink's checkpoint reaching it (0: at once). */
  readonly drainSeconds: number;
  /** Snapshots the figures come from. */
  readonly samples: number;
}

export interface StatusSnapshot {
  readonly now: string;
  readonly totals: { readonly lines: Readonly<Record<string, number>> };
  readonly journal: { readonly headSeq: number };
  readonly sinks: readonly {
    readonly name: string;
    readonly checkpointSeq: number;
    readonly mode: string;
    readonly lag?: number;
    readonly overflows?: number;
  }[];
  readonly latency?: unknown;
}

async function peakRss(pid: number): Promise<number | null> {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(await readFile(`/proc/${pid}/status`, 'utf8'));
    return m ? Math.round(Number(m[1]) / 102.4) / 10 : null;
  } catch {
    return null;
  }
}

async function readStatus(file: string): Promise<StatusSnapshot | null> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as StatusSnapshot;
  } catch {
    return null;
  }
}

function nodeArgs(profDir: string | null | undefined, name: string): string[] {
  return profDir
    ? ['--cpu-prof', '--cpu-prof-dir', profDir, '--cpu-prof-name', `${name}-${Date.now()}.cpuprofile`]
    : [];
}

const STATUS_EVERY_MS = 200;

const lineCount = (s: StatusSnapshot) => Object.values(s.totals.lines).reduce((a, b) => a + b, 0);
const slowest = (s: StatusSnapshot) => Math.min(...s.sinks.map((k) => k.checkpointSeq));

export async function runPipeline(o: PipelineRunOptions): Promise<PipelineRunResult> {
  await mkdir(o.dir, { recursive: true });
  const statusFile = join(o.dir, 'status.json');
  const cli = l2hCliPath();
  const saved = { ...process.env };
  Object.assign(process.env, o.env ?? {});
  let sim: Child | null = null;
  let col: Child | null = null;
  try {
    sim = spawnChild(
      'simulator',
      process.execPath,
      [
        ...nodeArgs(o.cpuProfDir, 'simulator'),
        cli,
        'simulate',
        '--tape',
        o.tape,
        '--port-l1',
        '0',
        '--port-l2',
        '0',
        '--port-admin',
        '0',
        '--start',
        'all-watched',
        // One client: the replay waits for it rather than re-reading the tape for it once it
        // falls behind (it always does at --speed max), so the simulator reads the tape once.
        '--wait-for-clients',
        ...(o.rate ? ['--rate', String(o.rate)] : ['--speed', 'max']),
        '--log-level',
        'warn',
      ],
      join(o.dir, 'simulator.log'),
    );
    const ready = await sim.waitForEvent((e) => e['event'] === 'ready', 60_000, 'its ports');
    const ports = ready['ports'] as Record<'L1' | 'L2' | 'ADMIN', number>;
    const header = await readTapeHeader(o.tape);
    col = spawnChild(
      'collector',
      process.execPath,
      [
        ...nodeArgs(o.cpuProfDir, 'collector'),
        cli,
        'collect',
        '--host',
        '127.0.0.1',
        '--port-l1',
        String(ports.L1),
        '--port-l2',
        String(ports.L2),
        '--port-admin',
        String(ports.ADMIN),
        '--symbols',
        header.symbols,
        '--l2',
        header.l2,
        '--sinks',
        o.sinks.join(','),
        '--data-dir',
        join(o.dir, 'data'),
        '--journal-dir',
        join(o.dir, 'journal'),
        '--status-file',
        statusFile,
        '--status-every-ms',
        String(STATUS_EVERY_MS),
        '--log-level',
        'warn',
        ...(o.collectorArgs ?? []),
      ],
      join(o.dir, 'collector.log'),
    );
    const collector = col;
    let peak = { collector: 0, simulator: 0 };
    const snapshots: StatusSnapshot[] = [];
    // After the tape the simulator's clock runs on, as IQConnect's does (a T line a second on
    // each channel, S,STATS on admin), so the journal would never stop growing: once the tape is
    // out, the simulator is stopped, and the run ends when the journal is still and checkpointed.
    let tapeEnded = false;
    // Read before the simulator is stopped: afterwards its /proc entry is gone.
    let simulatorCpu: number | null = null;
    const simulator = sim;
    void simulator
      .waitForEvent((e) => e['event'] === 'tape-end', o.timeoutMs, 'the end of the tape')
      .then(
        async () => {
          simulatorCpu = await cpuSeconds(simulator.pid);
          await simulator.stop(20_000);
          tapeEnded = true;
        },
        () => {},
      );
    const deadline = Date.now() + o.timeoutMs;
    for (;;) {
      if (collector.proc.exitCode !== null) {
        const log = await readFile(join(o.dir, 'collector.log'), 'utf8').catch(() => '');
        const last = log.trim().split('\n').slice(-2).join(' | ').slice(0, 500);
        throw new L2hError(
          `the collector exited during the bench run (code ${collector.proc.exitCode}): ${last}`,
          {
            code: 'INTERNAL',
            context: { log: join(o.dir, 'collector.log') },
          },
        );
      }
      if (Date.now() > deadline)
        throw new L2hError('the bench replay did not finish in time', { code: 'TIMEOUT' });
      peak = {
        collector: Math.max(peak.collector, (await peakRss(collector.pid)) ?? 0),
        simulator: Math.max(peak.simulator, (await peakRss(sim.pid)) ?? 0),
      };
      const s = await readStatus(statusFile);
      if (s && s.now !== snapshots[snapshots.length - 1]?.now) snapshots.push(s);
      // Done once the tape is out, the journal stopped growing and every sink checkpointed its head.
      const prev = snapshots[snapshots.length - 2];
      if (
        tapeEnded &&
        s &&
        prev &&
        s.journal.headSeq === prev.journal.headSeq &&
        s.sinks.length > 0 &&
        slowest(s) >= s.journal.headSeq
      )
        break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const cpu = {
      collector: (await cpuSeconds(collector.pid)) ?? 0,
      simulator: simulatorCpu ?? (await cpuSeconds(sim.pid)) ?? 0,
    };
    const last = snapshots[snapshots.length - 1]!;
    const total = last.journal.headSeq;
    const inWindow = snapshots.filter((s) => slowest(s) >= total * 0.1 && slowest(s) <= total * 0.9);
    // Too short a run for a middle window: fall back to first data → done.
    const a = inWindow.length >= 2 ? inWindow[0]! : snapshots.find((s) => lineCount(s) > 0)!;
    const b = inWindow.length >= 2 ? inWindow[inWindow.length - 1]! : last;
    const dt = (Date.parse(b.now) - Date.parse(a.now)) / 1000;
    const rate = dt > 0 ? (slowest(b) - slowest(a)) / dt : 0;
    const ingest = dt > 0 ? (lineCount(b) - lineCount(a)) / dt : 0;
    return {
      lines: lineCount(last),
      linesPerSecond: rate,
      wholeRunPerSecond: wholeRunRate(snapshots),
      ingestPerSecond: ingest,
      seconds: dt,
      peakRssMb: peak,
      cpuSeconds: cpu,
      finalStatus: last,
      sinkLag: sinkLagOverRun(snapshots),
      sinkOverflows: Object.fromEntries(last.sinks.map((k) => [k.name, k.overflows ?? 0])),
    };
  } finally {
    await col?.stop(60_000);
    await sim?.stop(20_000);
    for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
    Object.assign(process.env, saved);
  }
}

/**
 * The journal's last line over the time from the first snapshot with a journaled line to the first
 * with every sink's checkpoint at that line (0 when the run has no such pair).
 */
export function wholeRunRate(snapshots: readonly StatusSnapshot[]): number {
  const last = snapshots[snapshots.length - 1];
  if (last === undefined) return 0;
  const total = last.journal.headSeq;
  const firstIn = snapshots.find((s) => lineCount(s) > 0);
  const allDurable = snapshots.find((s) => s.sinks.length > 0 && slowest(s) >= total);
  if (firstIn === undefined || allDurable === undefined) return 0;
  const seconds = (Date.parse(allDurable.now) - Date.parse(firstIn.now)) / 1000;
  return seconds > 0 ? total / seconds : 0;
}

/**
 * Each sink's lag (the collector's own figure: journal lines it does not hold yet) from the first
 * snapshot with data to the end, and how long after the journal's last line it caught up.
 */
export function sinkLagOverRun(snapshots: readonly StatusSnapshot[]): Record<string, SinkLagOverRun> {
  const withData = snapshots.filter((s) => s.journal.headSeq > 0);
  const out: Record<string, SinkLagOverRun> = {};
  if (withData.length === 0) return out;
  const last = withData[withData.length - 1]!;
  const head = last.journal.headSeq;
  const headAt = Date.parse(withData.find((s) => s.journal.headSeq >= head)!.now);
  for (const { name } of last.sinks) {
    const lags: number[] = [];
    let caughtAt: number | null = null;
    for (const s of withData) {
      const k = s.sinks.find((x) => x.name === name);
      if (!k) continue;
      const lag = k.lag ?? Math.max(0, s.journal.headSeq - k.checkpointSeq);
      lags.push(lag);
      if (caughtAt === null && s.journal.headSeq >= head && lag === 0) caughtAt = Date.parse(s.now);
    }
    lags.sort((a, b) => a - b);
    out[name] = {
      max: lags[lags.length - 1] ?? 0,
      p50: quantile(lags, 0.5),
      p90: quantile(lags, 0.9),
      drainSeconds: caughtAt === null ? Number.NaN : Math.max(0, (caughtAt - headAt) / 1000),
      samples: lags.length,
    };
  }
  return out;
}

async function readTapeHeader(path: string): Promise<{ symbols: string; l2: string }> {
  const reader = await openTape(path);
  try {
    const symbols = (reader.header.get('symbols') ?? '')
      .split(/[,\s]+/)
      .filter(Boolean)
      .join(',');
    if (!symbols)
      throw new L2hError('the tape names no symbols', { code: 'BAD_INPUT', context: { file: path } });
    return { symbols, l2: reader.header.get('l2') ?? 'mbp' };
  } finally {
    await reader.close();
  }
}
