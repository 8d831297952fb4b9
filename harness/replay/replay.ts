import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { appendFile, mkdir, open, readdir, readFile, writeFile } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { createGunzip } from 'node:zlib';
import type { CollectorStatus } from '../../collector/monitor/status.js';
import type { SinkName } from '../../collector/sinks/sink.js';
import { l2hCliPath } from '../../common/cli-path.js';
import { L2hError, usageError } from '../../common/errors.js';
import type { Logger } from '../../common/logger.js';
import { createProgress } from '../../common/progress.js';
import { machineIdentity, softwareVersions } from '../identity.js';
import { redactArgs, redactText } from '../redact.js';
import type { Check, MetricsSample, RunResults, TapeIdentity } from '../results/types.js';
import { runPaths } from '../run-dir.js';
import { type ReplayHooks, replayControl } from '../scenarios/hooks.js';
import { jsonlSource } from '../verify/sinks/jsonl-source.js';
import type { SinkRecordSource } from '../verify/sinks/source.js';
import { verifyRun } from '../verify/verify-run.js';
import { type Child, spawnChild } from './child.js';
import { rssMb } from './process-stats.js';

export interface ReplayOptions {
  readonly tape: string;
  readonly out: string;
  readonly speed: number | 'max';
  readonly rate: number | null;
  readonly sinks: readonly SinkName[];
  readonly depth: number;
  readonly seed: number;
  /** How long the whole replay may take before it is called stuck. */
  readonly timeoutMs: number;
  readonly command: string;
  readonly scenario: string | null;
  readonly logger: Logger;
  /** Extra flags for the two processes (scenarios, tests). */
  readonly simulatorArgs?: readonly string[];
  readonly collectorArgs?: readonly string[];
  /** Where sink records are read back for verification, by sink; JSONL is read from the run. */
  readonly sinkSources?: readonly SinkRecordSource[];
  readonly services?: Readonly<Record<string, string>>;
  /** Extra environment for the collector: service endpoints, kept out of its command line. */
  readonly collectorEnv?: Readonly<Record<string, string>>;
  /** A scenario's actions and checks at fixed points of the run (harness/scenarios/hooks.ts). */
  readonly hooks?: ReplayHooks;
}

export interface ReplayOutcome {
  readonly dir: string;
  readonly results: RunResults;
}

interface TapeSummary {
  readonly identity: TapeIdentity;
  readonly symbols: readonly string[];
  readonly families: string;
}

/** SHA-256, line count and headers of a tape in one streaming pass. */
async function summarizeTape(path: string): Promise<TapeSummary> {
  const hash = createHash('sha256');
  // Probe the gzip magic before the stream exists: a flowing stream read during an await would
  // hand its first chunk to the hash alone and the header parse below would never see it.
  const fd = await open(path, 'r');
  const head = Buffer.alloc(2);
  await fd.read(head, 0, 2, 0).finally(() => fd.close());
  const raw = createReadStream(path, { highWaterMark: 1 << 20 });
  // A plain tape's stream is set to latin1 below: hash the bytes, not their UTF-8 re-encoding.
  raw.on('data', (c: Buffer | string) => hash.update(typeof c === 'string' ? Buffer.from(c, 'latin1') : c));
  const text = head[0] === 0x1f && head[1] === 0x8b ? raw.pipe(createGunzip()) : raw;
  text.setEncoding('latin1');
  const headers: Record<string, string> = {};
  let lines = 0;
  let inHeader = true;
  let rest = '';
  for await (const chunk of text as AsyncIterable<string>) {
    const s = rest + chunk;
    let start = 0;
    for (let nl = s.indexOf('\n'); nl >= 0; nl = s.indexOf('\n', start)) {
      if (inHeader && s.charCodeAt(start) === 35) {
        const l = s.slice(start + 1, nl);
        const sp = l.indexOf(' ');
        headers[sp < 0 ? l : l.slice(0, sp)] = sp < 0 ? '' : l.slice(sp + 1);
      } else {
        inHeader = false;
        lines++;
      }
      start = nl + 1;
    }
    rest = s.slice(start);
  }
  if (!('l2tape' in headers)) {
    throw new L2hError('not a tape: the first line must be `#l2tape 1`', {
      code: 'BAD_INPUT',
      context: { file: path },
    });
  }
  const symbols = (headers['symbols'] ?? '').split(/[,\s]+/).filter(Boolean);
  if (symbols.length === 0) {
    throw new L2hError('the tape names no symbols (`#symbols` header)', {
      code: 'BAD_INPUT',
      context: { file: path },
      hint: 'add a line like `#symbols AAPL,MSFT` to the tape header',
    });
  }
  return {
    identity: { path: resolve(path), sha256: hash.digest('hex'), lines, headers },
    symbols,
    families: headers['l2'] ?? 'mbp',
  };
}

async function readStatus(file: string): Promise<CollectorStatus | null> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as CollectorStatus;
  } catch {
    return null;
  }
}

async function waitFor<T>(
  what: string,
  deadlineMs: number,
  probe: () => Promise<T | null>,
  everyMs = 100,
): Promise<T> {
  const until = Date.now() + deadlineMs;
  for (;;) {
    const v = await probe();
    if (v !== null) return v;
    if (Date.now() > until) throw new L2hError(`timed out waiting for ${what}`, { code: 'TIMEOUT' });
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

function exitCheck(
  name: string,
  r: { code: number | null; signal: NodeJS.Signals | null },
  log: string,
): Check {
  const pass = r.code === 0;
  return {
    id: `process.${name}-exit`,
    group: 'integrity',
    title: `The ${name} stopped cleanly on SIGTERM`,
    threshold: 'exit code 0 after SIGTERM (drained and flushed)',
    measured: r.signal ? `killed by ${r.signal}` : `exit code ${r.code}`,
    pass,
    evidence: { files: [log] },
  };
}

/**
 * The main job: start the simulator and the collector as separate processes, replay the tape,
 * let the collector drain, then verify everything and keep the evidence in the run directory.
 */
export async function runReplay(options: ReplayOptions): Promise<ReplayOutcome> {
  const started = Date.now();
  const startedAt = new Date(started).toISOString();
  const paths = runPaths(resolve(options.out));
  const existing = await readdir(paths.dir).catch(() => [] as string[]);
  if (existing.length > 0) {
    throw usageError(
      `the run directory ${paths.dir} is not empty`,
      'choose a new --out directory or remove this one',
    );
  }
  for (const d of [paths.dir, paths.simulatorDir, paths.collectorDir, paths.journal, paths.data]) {
    await mkdir(d, { recursive: true });
  }
  const log = options.logger;
  const tape = await summarizeTape(options.tape);
  const config = {
    tape: tape.identity.path,
    speed: options.speed,
    rate: options.rate,
    sinks: options.sinks,
    depth: options.depth,
    seed: options.seed,
    symbols: tape.symbols,
    l2: tape.families,
    scenario: options.scenario,
    simulatorArgs: redactArgs(options.simulatorArgs ?? []),
    collectorArgs: redactArgs(options.collectorArgs ?? []),
  };
  await writeFile(paths.config, `${JSON.stringify(config, null, 2)}\n`);

  const cli = l2hCliPath();
  const node = process.execPath;
  const pacing =
    options.rate !== null ? ['--rate', String(options.rate)] : ['--speed', String(options.speed)];
  const sim = spawnChild(
    'simulator',
    node,
    [
      cli,
      'simulate',
      '--tape',
      tape.identity.path,
      '--port-l1',
      '0',
      '--port-l2',
      '0',
      '--port-admin',
      '0',
      '--start',
      'all-watched',
      ...pacing,
      '--seed',
      String(options.seed),
      '--stats',
      paths.simulatorStats,
      '--log-level',
      'warn',
      ...(options.simulatorArgs ?? []),
    ],
    paths.simulatorLog,
  );
  let collector: Child | null = null;
  const progress = createProgress('replay', tape.identity.lines, 'lines', ['rate']);
  let sampler: NodeJS.Timeout | null = null;
  try {
    const ready = await sim.waitForEvent((e) => e['event'] === 'ready', 20_000, 'its ports');
    const ports = ready['ports'] as Record<'L1' | 'L2' | 'ADMIN', number>;
    log.info({ ports }, 'simulator ready');
    const spawnCollector = (extra: readonly string[]): Child => {
      collector = spawnChild(
        'collector',
        node,
        [
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
          tape.symbols.join(','),
          '--l2',
          tape.families,
          '--depth',
          String(options.depth),
          '--sinks',
          options.sinks.join(','),
          '--data-dir',
          paths.data,
          '--journal-dir',
          paths.journal,
          '--status-file',
          paths.collectorStatus,
          ...(options.collectorArgs ?? []),
          ...extra,
        ],
        paths.collectorLog,
        { ...process.env, ...options.collectorEnv },
      );
      return collector;
    };
    spawnCollector([]);
    const control = replayControl({
      paths,
      simulator: sim,
      current: () => collector!,
      spawn: spawnCollector,
    });
    const during = options.hooks?.duringReplay?.(control) ?? Promise.resolve();
    during.catch(() => {}); // awaited after tape-end; this only keeps an early failure from being unhandled

    // Metrics timeline and progress, once a second, from the collector's own status.
    const t0 = Date.now();
    // Sinks report counts; the timeline wants rates: the difference between two samples over their interval.
    let previous: { at: number; journal: number; written: Map<string, number> } | null = null;
    const sample = async () => {
      const st = await readStatus(paths.collectorStatus);
      if (!st) return;
      const journaled = st.totals.lines.L1 + st.totals.lines.L2;
      progress.update(Math.min(journaled, tape.identity.lines), {
        rate: `${Math.round(st.rates.L1 + st.rates.L2)}/s`,
      });
      const [simRss, colRss] = await Promise.all([rssMb(sim.pid), rssMb(collector!.pid)]);
      const at = Date.now();
      const written = new Map(st.sinks.map((k) => [k.name as string, k.written]));
      const perSecond = (now: number, before: number | undefined) =>
        previous && before !== undefined
          ? Math.round(((now - before) * 1000) / Math.max(1, at - previous.at))
          : 0;
      const s: MetricsSample = {
        t: Math.round((at - t0) / 100) / 10,
        rates: {
          'feed.L1': Math.round(st.rates.L1),
          'feed.L2': Math.round(st.rates.L2),
          'feed.ADMIN': Math.round(st.rates.ADMIN),
          journal: perSecond(st.journal.headSeq, previous?.journal),
          ...Object.fromEntries(
            st.sinks.map((k) => [`sink.${k.name}`, perSecond(k.written, previous?.written.get(k.name))]),
          ),
        },
        lag: Object.fromEntries(st.sinks.map((k) => [k.name, k.lag])),
        queues: Object.fromEntries(st.sinks.map((k) => [k.name, k.queueDepth])),
        rssMb: { simulator: simRss ?? 0, collector: colRss ?? 0 },
      };
      previous = { at, journal: st.journal.headSeq, written };
      await appendFile(paths.metrics, `${JSON.stringify(s)}\n`);
    };
    sampler = setInterval(() => void sample().catch(() => {}), 1000);

    const tapeEnd = await Promise.race([
      sim.waitForEvent((e) => e['event'] === 'tape-end', options.timeoutMs, 'the end of the tape'),
      control.unplannedExit(),
    ]);
    await during;
    const sent = (tapeEnd['channels'] ?? {}) as Record<string, { lines: number }>;
    log.info({ sent }, 'tape replayed; waiting for the collector to journal every line');
    // The collector has everything once its journal holds as many L1/L2 lines as were sent.
    if (options.hooks?.afterTapeEnd) await options.hooks.afterTapeEnd(control, sent);
    else
      await waitFor('the collector to journal every line sent', 120_000, async () => {
        const st = await readStatus(paths.collectorStatus);
        if (!st) return null;
        return st.totals.lines.L1 >= (sent['L1']?.lines ?? 0) &&
          st.totals.lines.L2 >= (sent['L2']?.lines ?? 0)
          ? st
          : null;
      });
    clearInterval(sampler);
    sampler = null;
    await sample().catch(() => {});
    progress.update(tape.identity.lines);
    progress.stop();

    const colExit = await control.collector().stop(120_000);
    const simExit = await sim.stop(20_000);
    const checks: Check[] = [
      exitCheck('collector', colExit, 'collector/collector.log'),
      exitCheck('simulator', simExit, 'simulator/simulator.log'),
    ];

    const verifyProgress = createProgress('verify', 1, 'stages');
    const sinks: SinkRecordSource[] = [jsonlSource(paths.data), ...(options.sinkSources ?? [])].filter((s) =>
      options.sinks.includes(s.name as SinkName),
    );
    const truncatedAllowed = await options.hooks?.truncatedAllowed?.(control);
    const outcome = await verifyRun({
      runDir: paths.dir,
      depth: options.depth,
      sinks,
      truncatedAllowed,
      onProgress: () => {},
    });
    verifyProgress.stop();
    checks.push(...outcome.checks);
    if (options.hooks?.extraChecks) checks.push(...(await options.hooks.extraChecks(control, outcome)));

    const simStats = JSON.parse(await readFile(paths.simulatorStats, 'utf8')) as {
      types?: Record<string, Record<string, number>>;
    };
    const messageMix: Record<string, number> = {};
    for (const [ch, types] of Object.entries(simStats.types ?? {})) {
      for (const [t, n] of Object.entries(types)) messageMix[`${ch}/${t}`] = n;
    }
    const finalStatus = await readStatus(paths.collectorStatus);
    const results: RunResults = {
      schema: 'l2h.results/1',
      verdict: checks.every((c) => c.pass) ? 'pass' : 'fail',
      run: {
        id: basename(paths.dir),
        command: redactArgs(options.command.split(' ')).join(' '),
        startedAt,
        durationMs: Date.now() - started,
        tape: tape.identity,
        scenario: options.scenario,
        seed: options.seed,
        config,
        versions: softwareVersions(),
        machine: machineIdentity(),
        services: {
          ...Object.fromEntries(Object.entries(options.services ?? {}).map(([k, v]) => [k, redactText(v)])),
          jsonl: 'local files',
        },
      },
      checks,
      latency: [],
      messageMix,
      load: null,
      metricsFile: 'metrics.jsonl',
    };
    await writeFile(paths.results, `${JSON.stringify(results, null, 2)}\n`);
    if (finalStatus) log.debug({ session: finalStatus.session }, 'final collector status kept');
    return { dir: paths.dir, results };
  } finally {
    if (sampler) clearInterval(sampler);
    progress.stop();
    if (collector) await collector.stop(5_000);
    await sim.stop(5_000);
  }
}
