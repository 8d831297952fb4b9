/**
 * `l2h status`: is the collector running, since when, what it has seen, how far each sink is
 * behind, and the latest gap — from the collector itself (its monitor, else its status file).
 *
 * Exit codes, for scripts and health checks:
 *   0  running and healthy (state ok)
 *   1  running but degraded or down, or running without reporting a current status
 *   3  not running (no pid file, or a stale one: the process it names is gone)
 */
import type { Channel } from '../collector/protocol/channel.js';
import { type GapView, latestGap } from './latest-gap.js';
import { opsPaths } from './paths.js';
import { collectorProcess } from './process.js';
import { readStartRecord } from './start-record.js';
import { readMonitorStatus, readStatusFile, type StatusReading } from './status-source.js';

export type StatusExit = 0 | 1 | 3;

export interface StatusOptions {
  readonly runDir: string | undefined;
  /** The monitor's token when it needs one (`--monitor-token`, else env L2H_MONITOR_TOKEN). */
  readonly token: string | undefined;
  /** A status file older than this while the process runs means it stopped reporting. */
  readonly staleAfterMs?: number;
}

export interface StatusReport {
  readonly exitCode: StatusExit;
  readonly running: boolean;
  readonly pid: number | null;
  /** Why it is not running, or why it is not healthy; null when healthy. */
  readonly problem: string | null;
  readonly reading: StatusReading | null;
  readonly latestGap: GapView | null;
  readonly lines: readonly string[];
}

export async function collectorStatus(o: StatusOptions): Promise<StatusReport> {
  const paths = opsPaths(o.runDir);
  const proc = await collectorProcess(paths.pidFile);
  const start = await readStartRecord(paths.startFile);
  if (proc.state !== 'running') {
    const problem =
      proc.state === 'absent'
        ? `not running (no pid file in ${paths.dir})`
        : `not running: stale pid file ${paths.pidFile}: ${proc.why}`;
    const last = await readStatusFile(paths.statusFile);
    const lines = [problem];
    if ('status' in last) {
      lines.push(
        `last status: ${last.status.now} (state ${last.status.state}, session ${last.status.session})`,
      );
    }
    return {
      exitCode: 3,
      running: false,
      pid: proc.state === 'stale' ? proc.pid : null,
      problem,
      reading: null,
      latestGap: null,
      lines,
    };
  }
  let reading: StatusReading | null = null;
  let problem: string | null = null;
  if (start?.monitorUrl && start.pid === proc.pid && (!start.monitorNeedsToken || o.token)) {
    const r = await readMonitorStatus(start.monitorUrl, o.token);
    if ('status' in r) reading = r;
  }
  if (reading === null) {
    const r = await readStatusFile(paths.statusFile);
    if ('error' in r) problem = `running (pid ${proc.pid}) but no status: ${r.error}`;
    else if (r.status.pid !== proc.pid)
      problem = `running (pid ${proc.pid}) but the status file is from pid ${r.status.pid}`;
    else if (r.ageMs > (o.staleAfterMs ?? 5000)) {
      problem = `running (pid ${proc.pid}) but its status file is ${(r.ageMs / 1000).toFixed(1)} s old: the collector stopped reporting`;
      reading = r;
    } else reading = r;
  }
  const gap = await latestGap(start?.dataDir ?? paths.dataDir);
  if (problem === null && reading !== null && reading.assessment.state !== 'ok') {
    problem = `${reading.assessment.state}: ${reading.assessment.reasons.join('; ')}`;
  }
  const lines =
    reading === null
      ? [problem ?? '']
      : describeStatus(proc.pid, reading, gap, start?.monitorUrl ?? null, problem);
  return {
    exitCode: problem === null ? 0 : 1,
    running: true,
    pid: proc.pid,
    problem,
    reading,
    latestGap: gap,
    lines,
  };
}

/**
 * Lines per second as the monitor page shows them (collector/monitor/page/monitor.js `showRate`):
 * whole from 10 up, one decimal below, so a quiet but live channel (0.4/s) never reads "0".
 */
export function rateText(x: number): string {
  if (!Number.isFinite(x) || x === 0) return String(x);
  const tenths = x.toFixed(1);
  if (Math.abs(Number(tenths)) >= 10) return Math.round(x).toLocaleString('en-US');
  return Number(tenths) !== 0 ? tenths : String(Number(x.toPrecision(1)));
}

function duration(s: number): string {
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h > 0 ? `${h}h ${m}m ${s % 60}s` : m > 0 ? `${m}m ${s % 60}s` : `${s}s`;
}

function describeStatus(
  pid: number,
  r: StatusReading,
  gap: GapView | null,
  page: string | null,
  problem: string | null,
): string[] {
  const s = r.status;
  const n = (x: number) => Math.round(x).toLocaleString('en-US');
  const channels: Channel[] = ['L1', 'L2', 'ADMIN'];
  const lines = [
    `collector running: pid ${pid}, since ${s.startedAt} (up ${duration(s.uptimeS)}), session ${s.session}`,
    `state: ${r.assessment.state}${r.assessment.reasons.length > 0 ? ` — ${r.assessment.reasons.join('; ')}` : ''}`,
    `messages: ${channels.map((c) => `${c} ${n(s.totals.lines[c] ?? 0)} (${rateText(s.rates[c] ?? 0)}/s)`).join(', ')}`,
    `records: l2 ${n(s.totals.records.l2)}, l1 ${n(s.totals.records.l1)}, ticks ${n(s.totals.records.ticks)}, gaps ${n(s.totals.records.gaps)}`,
    `journal: head seq ${n(s.journal.headSeq)}, durable ${n(s.journal.durableSeq)}`,
  ];
  for (const k of s.sinks) {
    lines.push(
      `sink ${k.name}: ${k.mode}, lag ${n(k.lag)} lines, checkpoint ${n(k.checkpointSeq)}, written ${n(k.written)}` +
        `${k.retries > 0 ? `, retries ${n(k.retries)}` : ''}${k.stuck ? ', STUCK' : ''}${k.lastError ? ` (last error: ${k.lastError})` : ''}`,
    );
  }
  lines.push(
    gap === null
      ? `latest gap: none recorded${s.totals.records.gaps > 0 ? ` in the JSONL files (the collector counts ${s.totals.records.gaps})` : ''}`
      : `latest gap: ${gap.symbol} ${gap.channel} ${gap.timestamp} → ${gap.gapEnd} (${(gap.durationUs / 1e6).toFixed(3)} s, ${gap.reason}), seq ${gap.seq}`,
  );
  if (page !== null) lines.push(`page: ${page}`);
  lines.push(`from: ${r.source === 'monitor' ? r.from : `${r.from} (${(r.ageMs / 1000).toFixed(1)} s old)`}`);
  if (problem !== null) lines.push(`problem: ${problem}`);
  return lines;
}
