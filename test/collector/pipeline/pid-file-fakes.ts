/**
 * Live processes whose command line reads like `l2h collect …`, for the pid-file ownership tests:
 * a real process with a chosen command line stands in for a pid the kernel handed to another
 * program, without forcing pid reuse.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';

const live = new Set<ChildProcess>();

/** `node -e <idle> collect …args`: /proc/<pid>/cmdline holds `collect` and `args` as given. */
export async function fakeCollector(args: readonly string[], cwd?: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 60_000)', 'collect', ...args], {
    cwd,
    stdio: 'ignore',
  });
  live.add(child);
  // 'spawn' fires once exec succeeded, so /proc already shows the new command line.
  await once(child, 'spawn');
  return child;
}

/** Kill every fake still running and wait for each to exit. */
export async function killFakes(): Promise<void> {
  await Promise.all(
    [...live].map(async (child) => {
      live.delete(child);
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGKILL');
      await exited;
    }),
  );
}

export function isAlive(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null;
}
