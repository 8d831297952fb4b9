import { readdir, readFile } from 'node:fs/promises';
import { cpuSeconds, rssMb } from '../replay/process-stats.js';

/**
 * What a load step's two processes used, sampled from /proc twice a second while the step runs:
 * CPU seconds (user + system) and peak resident memory of the simulator and the collector, and
 * from the collector's status file the deepest sink queue and the largest lag seen. The replay
 * starts the processes itself; they are found as this process's children by their subcommand.
 */
export interface ProcessUsage {
  readonly cpuSeconds: number;
  readonly peakRssMb: number;
  /** Seconds between the first and the last sample that saw the process. */
  readonly seenSeconds: number;
}

export interface StepUsage {
  readonly processes: Readonly<Record<string, ProcessUsage>>;
  readonly maxQueueDepth: Readonly<Record<string, number>>;
  readonly maxLag: Readonly<Record<string, number>>;
}

export interface UsageSampler {
  stop(): Promise<StepUsage>;
}

/** Child pids of this process, from every thread (a worker thread's children hang off its task). */
async function childPids(): Promise<number[]> {
  const tasks = await readdir(`/proc/${process.pid}/task`).catch(() => [] as string[]);
  const out: number[] = [];
  for (const t of tasks) {
    const text = await readFile(`/proc/${process.pid}/task/${t}/children`, 'utf8').catch(() => '');
    for (const p of text.split(' ')) if (p.trim()) out.push(Number(p));
  }
  return out;
}

/** `simulator` or `collector` for an `l2h simulate|collect` child, else null. */
async function roleOf(pid: number): Promise<string | null> {
  const argv = (await readFile(`/proc/${pid}/cmdline`, 'latin1').catch(() => '')).split('\0');
  if (argv.includes('simulate')) return 'simulator';
  if (argv.includes('collect')) return 'collector';
  return null;
}

interface Seen {
  role: string;
  cpu: number;
  peak: number;
  first: number;
  last: number;
}

export function startUsageSampler(statusFile: string, everyMs = 500): UsageSampler {
  const seen = new Map<number, Seen>();
  const roles = new Map<number, string | null>();
  const maxQueueDepth: Record<string, number> = {};
  const maxLag: Record<string, number> = {};
  let busy: Promise<void> | null = null;
  const sample = async (): Promise<void> => {
    const now = Date.now();
    for (const pid of await childPids()) {
      if (!roles.has(pid)) roles.set(pid, await roleOf(pid));
      const role = roles.get(pid);
      if (!role) continue;
      const [cpu, rss] = await Promise.all([cpuSeconds(pid), rssMb(pid)]);
      if (cpu === null) continue;
      const s = seen.get(pid) ?? { role, cpu: 0, peak: 0, first: now, last: now };
      s.cpu = Math.max(s.cpu, cpu);
      s.peak = Math.max(s.peak, rss ?? 0);
      s.last = now;
      seen.set(pid, s);
    }
    try {
      const status = JSON.parse(await readFile(statusFile, 'utf8')) as {
        sinks?: readonly { name: string; queueDepth: number; lag: number }[];
      };
      for (const k of status.sinks ?? []) {
        maxQueueDepth[k.name] = Math.max(maxQueueDepth[k.name] ?? 0, k.queueDepth);
        maxLag[k.name] = Math.max(maxLag[k.name] ?? 0, k.lag);
      }
    } catch {
      // Not written yet, or being replaced: the next sample reads it.
    }
  };
  const timer = setInterval(() => {
    if (busy === null) busy = sample().finally(() => (busy = null));
  }, everyMs);
  return {
    async stop() {
      clearInterval(timer);
      await busy;
      const processes: Record<string, ProcessUsage> = {};
      for (const s of seen.values()) {
        const prev = processes[s.role];
        // A role restarted within a step (it should not be) adds up rather than overwrites.
        processes[s.role] = {
          cpuSeconds: Math.round(((prev?.cpuSeconds ?? 0) + s.cpu) * 100) / 100,
          peakRssMb: Math.max(prev?.peakRssMb ?? 0, s.peak),
          seenSeconds: Math.round(((prev?.seenSeconds ?? 0) + (s.last - s.first) / 1000) * 10) / 10,
        };
      }
      return { processes, maxQueueDepth, maxLag };
    },
  };
}
