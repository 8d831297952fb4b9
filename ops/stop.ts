/**
 * `l2h stop`: SIGTERM to the collector (it stops reading, journals what arrived, lets every sink
 * write and checkpoint, closes its files), wait for it to exit, then report what it flushed from
 * its final status file and its `stopped` event line. Past the timeout it says so and leaves the
 * process alone: killing a draining collector is the user's call (the journal keeps everything).
 */
import { readFile } from 'node:fs/promises';
import type { CollectorStatus } from '../collector/monitor/status.js';
import { opsPaths } from './paths.js';
import { collectorProcess, isCollectorPid, removePidFileIf } from './process.js';
import { readStatusFile } from './status-source.js';

export interface StopOptions {
  readonly runDir: string | undefined;
  readonly timeoutS: number;
  readonly say: (line: string) => void;
}

/** 0 stopped, 1 still running after the timeout, 3 was not running. */
export type StopExit = 0 | 1 | 3;

interface StoppedEvent {
  readonly sinksDrained: boolean | null;
  readonly error: string | null;
}

export async function stopCollector(o: StopOptions): Promise<StopExit> {
  const paths = opsPaths(o.runDir);
  const proc = await collectorProcess(paths.pidFile);
  if (proc.state === 'absent') {
    o.say(`not running: no pid file in ${paths.dir}`);
    return 3;
  }
  if (proc.state === 'stale') {
    o.say(`not running: stale pid file ${paths.pidFile} (${proc.why}); removed`);
    await removePidFileIf(paths.pidFile, proc.pid);
    return 3;
  }
  const pid = proc.pid;
  const started = Date.now();
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    // Gone between the check and the signal: the wait below sees it.
  }
  o.say(
    `sent SIGTERM to the collector (pid ${pid}); waiting up to ${o.timeoutS} s for it to drain and exit…`,
  );
  const deadline = started + o.timeoutS * 1000;
  while ((await isCollectorPid(pid, paths.pidFile)).alive) {
    if (Date.now() > deadline) {
      o.say(`the collector (pid ${pid}) is still running ${o.timeoutS} s after SIGTERM; it is left running.`);
      o.say(`it may still be writing to a slow sink: see l2h logs --run-dir ${paths.dir}`);
      o.say(
        `wait and run l2h stop again, or force it with: kill -9 ${pid}  (the journal keeps every line; the next start resumes)`,
      );
      return 1;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  await removePidFileIf(paths.pidFile, pid);
  o.say(`stopped after ${((Date.now() - started) / 1000).toFixed(1)} s`);
  const final = await readStatusFile(paths.statusFile);
  const event = await stoppedEvent(paths.outFile);
  if ('status' in final && final.status.pid === pid) {
    for (const line of flushedReport(final.status, event)) o.say(line);
  } else {
    o.say('no final status from that process (it was killed or could not write it)');
  }
  return 0;
}

async function stoppedEvent(outFile: string): Promise<StoppedEvent | null> {
  let text: string;
  try {
    text = await readFile(outFile, 'utf8');
  } catch {
    return null;
  }
  let found: StoppedEvent | null = null;
  for (const line of text.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      const v = JSON.parse(line) as { event?: unknown; sinksDrained?: unknown; error?: unknown };
      if (v.event === 'stopped') {
        found = {
          sinksDrained: typeof v.sinksDrained === 'boolean' ? v.sinksDrained : null,
          error: typeof v.error === 'string' ? v.error : null,
        };
      }
    } catch {
      // Not an event line.
    }
  }
  return found;
}

/** What the collector flushed, from its last status (written after the sinks drained and closed). */
export function flushedReport(s: CollectorStatus, event: StoppedEvent | null): string[] {
  const n = (x: number) => x.toLocaleString('en-US');
  const r = s.totals.records;
  const lines = [
    `session ${s.session}: ran ${n(s.uptimeS)} s`,
    `journal: ${n(s.journal.headSeq)} lines, durable through seq ${n(s.journal.durableSeq)} (${s.journal.dir})`,
    `records: l2 ${n(r.l2)}, l1 ${n(r.l1)}, ticks ${n(r.ticks)}, gaps ${n(r.gaps)}`,
  ];
  for (const k of s.sinks) {
    const rest =
      k.lag === 0
        ? 'everything flushed'
        : `${n(k.lag)} lines behind: they stay in the journal for the next start`;
    lines.push(
      `sink ${k.name}: checkpoint seq ${n(k.checkpointSeq)}, wrote ${n(k.written)} records; ${rest}`,
    );
  }
  if (event !== null) {
    lines.push(
      `sinks drained: ${event.sinksDrained === null ? 'unknown' : event.sinksDrained ? 'yes' : 'no'}`,
    );
    if (event.error !== null) lines.push(`it stopped on an error: ${event.error}`);
  }
  return lines;
}
