import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { L2hError } from '../../common/errors.js';

/**
 * A child process started by the harness: its stdout read as JSON lines (the simulator's ready,
 * tape-end and stats events), its stderr kept in a log file. The harness never leaves one behind:
 * children are killed when the harness exits.
 */
export interface Child {
  readonly name: string;
  readonly proc: ChildProcess;
  readonly pid: number;
  /** Resolves with the first stdout JSON event the predicate accepts. */
  waitForEvent(
    pred: (e: Readonly<Record<string, unknown>>) => boolean,
    timeoutMs: number,
    what: string,
  ): Promise<Readonly<Record<string, unknown>>>;
  readonly events: Readonly<Record<string, unknown>>[];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves with how it ended. */
  stop(graceMs: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const live = new Set<ChildProcess>();
let hooked = false;
function hookExit(): void {
  if (hooked) return;
  hooked = true;
  process.on('exit', () => {
    for (const p of live) p.kill('SIGKILL');
  });
}

export function spawnChild(
  name: string,
  command: string,
  args: readonly string[],
  logFile: string,
  env: NodeJS.ProcessEnv = process.env,
): Child {
  hookExit();
  const proc = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
  live.add(proc);
  const log = createWriteStream(logFile, { flags: 'a' });
  proc.stderr!.pipe(log);
  const events: Readonly<Record<string, unknown>>[] = [];
  const waiters = new Set<(e: Readonly<Record<string, unknown>>) => void>();
  let rest = '';
  proc.stdout!.setEncoding('utf8');
  proc.stdout!.on('data', (chunk: string) => {
    const text = rest + chunk;
    const parts = text.split('\n');
    rest = parts.pop() ?? '';
    for (const l of parts) {
      if (!l.trim()) continue;
      log.write(`[stdout] ${l}\n`);
      let e: Readonly<Record<string, unknown>>;
      try {
        e = JSON.parse(l) as Readonly<Record<string, unknown>>;
      } catch {
        continue;
      }
      events.push(e);
      for (const w of [...waiters]) w(e);
    }
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    proc.on('exit', (code, signal) => {
      live.delete(proc);
      resolve({ code, signal });
    });
  });
  const child: Child = {
    name,
    proc,
    pid: proc.pid ?? -1,
    events,
    exited,
    waitForEvent(pred, timeoutMs, what) {
      const hit = events.find(pred);
      if (hit) return Promise.resolve(hit);
      return new Promise((resolve, reject) => {
        const onEvent = (e: Readonly<Record<string, unknown>>) => {
          if (!pred(e)) return;
          done();
          resolve(e);
        };
        const timer = setTimeout(() => {
          done();
          reject(
            new L2hError(`${name} did not report ${what} within ${timeoutMs} ms`, {
              code: 'TIMEOUT',
              context: { log: logFile },
              hint: `look at the end of ${logFile}`,
            }),
          );
        }, timeoutMs);
        const onExit = ({ code, signal }: { code: number | null; signal: NodeJS.Signals | null }) => {
          done();
          reject(
            new L2hError(`${name} exited (code ${code}, signal ${signal}) before reporting ${what}`, {
              code: 'INTERNAL',
              context: { log: logFile },
              hint: `look at the end of ${logFile}`,
            }),
          );
        };
        const done = () => {
          clearTimeout(timer);
          waiters.delete(onEvent);
        };
        waiters.add(onEvent);
        void exited.then(onExit);
      });
    },
    async stop(graceMs) {
      if (proc.exitCode !== null || proc.signalCode !== null) return exited;
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), graceMs);
      const r = await exited;
      clearTimeout(timer);
      log.end();
      return r;
    },
  };
  return child;
}
