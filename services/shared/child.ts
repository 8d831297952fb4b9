import { type ChildProcess, spawn } from 'node:child_process';
import { Socket } from 'node:net';
import { createInterface } from 'node:readline';
import type { Writable } from 'node:stream';
import { L2hError } from '../../common/errors.js';
import type { Logger } from '../../common/logger.js';
import type { Env } from './handle.js';

export interface ChildExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface SpawnChildOptions {
  readonly command: string;
  readonly args: readonly string[];
  /** Names the process in logs and errors: "clickhouse-server :41234". */
  readonly label: string;
  readonly logger: Logger;
  readonly env?: Env;
  /**
   * How the child learns that we are gone, so no orphan outlives a crashed parent:
   * - `stdin`: the child exits by itself when its stdin reaches EOF (our Kafka launcher);
   * - `tether`: a tiny `sh` watchdog holds our pipe and sends the child SIGTERM on EOF (servers
   *   that ignore stdin: clickhouse-server, redis-server).
   */
  readonly lifeline: 'stdin' | 'tether';
  /**
   * With `lifeline: 'tether'`: a private directory the watchdog deletes once the child is gone,
   * when we died without stopping it (a normal stop deletes it itself).
   */
  readonly orphanDir?: string;
  /** Receives stdout line by line instead of the output tail (a line protocol on stdout). */
  readonly onStdoutLine?: (line: string) => void;
}

export interface Child {
  readonly pid: number;
  readonly label: string;
  /** Resolves once the process has exited, however it ended. */
  readonly exited: Promise<ChildExit>;
  /** The exit, or null while it runs. */
  exitInfo(): ChildExit | null;
  /** The last 16 KiB the process printed (stderr, and stdout unless `onStdoutLine` takes it). */
  output(): string;
  /** Write to the child's stdin (only for `lifeline: 'stdin'`). */
  readonly stdin: Writable | null;
  /**
   * Ask the child to stop (SIGTERM, or closing stdin for `lifeline: 'stdin'`); SIGKILL after
   * `graceMs`. Resolves with the exit.
   */
  terminate(graceMs: number): Promise<ChildExit>;
}

const TAIL_BYTES = 16 * 1024;
const live = new Set<LiveChild>();
let exitHookInstalled = false;

interface LiveChild {
  readonly proc: ChildProcess;
  readonly tether: ChildProcess | null;
}

/**
 * On a normal exit of the parent (including `process.exit()` from a test runner), stop every
 * child we still own. Only synchronous work is possible here: send the signals and go. Tethers
 * stay: they see our pipe close and delete the children's directories once they are gone.
 */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const c of live) c.proc.kill('SIGTERM');
  });
}

/** Neither the child nor its pipes may keep the parent alive: its lifeline ends it instead. */
function unrefAll(proc: ChildProcess): void {
  proc.unref();
  for (const stream of [proc.stdin, proc.stdout, proc.stderr]) {
    if (stream instanceof Socket) stream.unref();
  }
}

/**
 * `read` blocks until our end of the pipe closes, which happens when this process dies in any
 * way, SIGKILL included. Then: SIGTERM the child, wait until it is gone, delete its directory.
 */
const TETHER_SCRIPT = [
  'while read -r _; do :; done',
  'kill -TERM "$1" 2>/dev/null',
  'while kill -0 "$1" 2>/dev/null; do sleep 0.1; done',
  'if [ -n "$2" ]; then rm -rf -- "$2"; fi',
].join('\n');

function spawnTether(pid: number, orphanDir: string | undefined): ChildProcess {
  const tether = spawn('/bin/sh', ['-c', TETHER_SCRIPT, 'l2h-tether', String(pid), orphanDir ?? ''], {
    stdio: ['pipe', 'ignore', 'ignore'],
  });
  tether.on('error', () => {});
  unrefAll(tether);
  return tether;
}

/**
 * Spawn a service process tied to our lifetime. Rejects with SERVICE_UNAVAILABLE when the
 * executable cannot be started at all.
 */
export function spawnChild(options: SpawnChildOptions): Promise<Child> {
  installExitHook();
  const proc = spawn(options.command, [...options.args], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: options.env ? { ...options.env } : process.env,
  });
  let tail = '';
  const keep = (chunk: Buffer | string): void => {
    tail += chunk.toString();
    if (tail.length > TAIL_BYTES) tail = tail.slice(tail.length - TAIL_BYTES);
  };
  proc.stderr?.on('data', keep);
  if (options.onStdoutLine && proc.stdout) {
    createInterface({ input: proc.stdout }).on('line', options.onStdoutLine);
  } else {
    proc.stdout?.on('data', keep);
  }
  // A write after the child died must not crash us: the exit is reported through `exited`.
  proc.stdin?.on('error', () => {});

  let exit: ChildExit | null = null;
  let entry: LiveChild | null = null;
  const exited = new Promise<ChildExit>((resolve) => {
    proc.once('exit', (code, signal) => {
      exit = { code, signal };
      if (entry) {
        entry.tether?.kill('SIGKILL');
        live.delete(entry);
      }
      options.logger.debug({ child: options.label, code, signal }, 'service process exited');
      resolve(exit);
    });
  });

  return new Promise<Child>((resolve, reject) => {
    proc.once('error', (err) => {
      reject(
        new L2hError(`Cannot start ${options.label}: ${err.message}`, {
          code: 'SERVICE_UNAVAILABLE',
          cause: err,
          context: { command: options.command },
        }),
      );
    });
    proc.once('spawn', () => {
      const pid = proc.pid ?? -1;
      const tether = options.lifeline === 'tether' ? spawnTether(pid, options.orphanDir) : null;
      entry = { proc, tether };
      if (exit === null) live.add(entry);
      else tether?.kill('SIGKILL');
      unrefAll(proc);
      options.logger.debug({ child: options.label, pid }, 'service process started');
      resolve({
        pid,
        label: options.label,
        exited,
        exitInfo: () => exit,
        output: () => tail,
        stdin: options.lifeline === 'stdin' ? proc.stdin : null,
        terminate: async (graceMs) => {
          if (exit) return exit;
          // Unreferenced, the child could not keep us alive until its exit event arrives: once
          // the SIGKILL timer has fired, nothing else might.
          proc.ref();
          if (options.lifeline === 'stdin') proc.stdin?.end();
          else proc.kill('SIGTERM');
          const timer = setTimeout(() => proc.kill('SIGKILL'), graceMs);
          const result = await exited;
          clearTimeout(timer);
          return result;
        },
      });
    });
  });
}

/** "exit code 70" / "signal SIGKILL", for error messages. */
export function describeExit(exit: ChildExit): string {
  return exit.signal ? `signal ${exit.signal}` : `exit code ${String(exit.code)}`;
}
