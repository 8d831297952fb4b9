import { cpus, hostname, platform, release, totalmem } from 'node:os';
import { packageVersion } from '../cli/version.js';

/** What machine and software a run used: printed in every report, measured, not described. */
export function machineIdentity(): Record<string, string | number> {
  const cpu = cpus();
  return {
    hostname: hostname(),
    os: `${platform()} ${release()}`,
    cpus: cpu.length,
    cpuModel: cpu[0]?.model ?? 'unknown',
    memoryMb: Math.round(totalmem() / (1024 * 1024)),
  };
}

export function softwareVersions(extra: Readonly<Record<string, string>> = {}): Record<string, string> {
  return { 'l2-harness': packageVersion(), node: process.version, ...extra };
}
