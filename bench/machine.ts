import { execFileSync } from 'node:child_process';
import { cpus, hostname, loadavg, platform, release, totalmem } from 'node:os';

/**
 * What a results file says about where it was measured, so a reader can judge a figure: the
 * machine (cores, model, memory), the software, the commit, and how loaded the machine was when
 * the run started and ended (load averages over 1, 5 and 15 minutes; on 2 cores anything above 2
 * means the benchmark shared its cores).
 */
export interface MachineDescription {
  readonly hostname: string;
  readonly os: string;
  readonly platform: string;
  readonly cpus: number;
  readonly cpuModel: string;
  readonly memoryMb: number;
  readonly node: string;
}

/** Load averages over 1, 5 and 15 minutes, rounded to 2 decimals. */
export type LoadAverage = readonly [number, number, number];

export function describeMachine(): MachineDescription {
  const cpu = cpus();
  return {
    hostname: hostname(),
    os: `${platform()} ${release()}`,
    platform: `${process.platform} ${process.arch}`,
    cpus: cpu.length,
    cpuModel: cpu[0]?.model ?? 'unknown',
    memoryMb: Math.round(totalmem() / (1024 * 1024)),
    node: process.version,
  };
}

export function loadAverage(): LoadAverage {
  const [a, b, c] = loadavg().map((v) => Math.round(v * 100) / 100);
  return [a ?? 0, b ?? 0, c ?? 0];
}

export interface CommitInfo {
  /** Short commit hash, or `nocommit` outside a git checkout. */
  readonly commit: string;
  /** True when the work tree differs from the commit: the figures are not of that commit alone. */
  readonly dirty: boolean;
}

export function commitInfo(cwd: string): CommitInfo {
  const git = (args: readonly string[]): string | null => {
    try {
      return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    } catch {
      return null;
    }
  };
  const commit = git(['rev-parse', '--short', 'HEAD']) ?? 'nocommit';
  return { commit, dirty: (git(['status', '--porcelain']) ?? '') !== '' };
}
