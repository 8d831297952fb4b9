/**
 * The built CLI as child processes for browser tests: spawn `node dist/cli/main.js …`, read the
 * JSON event lines it prints on stdout, and make sure every process a test started is gone when
 * the test ends, whether it passed, failed or timed out.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const CLI_MAIN = join(REPO_ROOT, 'dist', 'cli', 'main.js');

/** One JSON line from a command's stdout (`{"event":"ready",…}`). */
export interface CliEvent {
  readonly event: string;
  readonly [key: string]: unknown;
}

export interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

const STDERR_KEEP = 8 * 1024;

/** Every process started here and not yet exited: killed if the test runner itself goes away. */
const alive = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of alive) child.kill('SIGKILL');
});

export function requireBuiltCli(): void {
  if (!existsSync(CLI_MAIN)) {
    throw new Error(`${CLI_MAIN} is missing: run \`npm run build\` before the browser tests`);
  }
}

export class CliProcess {
  private readonly events: CliEvent[] = [];
  private readonly waiters = new Set<() => void>();
  private stderr = '';
  private exit: Exit | null = null;
  readonly exited: Promise<Exit>;

  constructor(
    readonly name: string,
    private readonly child: ChildProcess,
  ) {
    alive.add(child);
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        alive.delete(child);
        this.exit = { code, signal };
        this.wake();
        resolve(this.exit);
      });
    });
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      this.stderr = (this.stderr + chunk).slice(-STDERR_KEEP);
    });
    if (child.stdout !== null) {
      createInterface({ input: child.stdout }).on('line', (line) => {
        const event = parseEvent(line);
        if (event !== null) {
          this.events.push(event);
          this.wake();
        }
      });
    }
  }

  get pid(): number {
    if (this.child.pid === undefined) throw new Error(`${this.name} has no pid: it did not start`);
    return this.child.pid;
  }

  get running(): boolean {
    return this.exit === null;
  }

  /** The first event named `name` (already printed or still to come), or an error naming why not. */
  waitForEvent(name: string, timeoutMs: number): Promise<CliEvent> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        const found = this.events.find((e) => e.event === name);
        if (found !== undefined) {
          finish();
          resolve(found);
          return true;
        }
        if (this.exit !== null) {
          finish();
          reject(
            new Error(`${this.name} exited (${describeExit(this.exit)}) before "${name}"${this.tail()}`),
          );
          return true;
        }
        return false;
      };
      const timer = setTimeout(() => {
        finish();
        reject(new Error(`${this.name}: no "${name}" event within ${timeoutMs} ms${this.tail()}`));
      }, timeoutMs);
      const finish = (): void => {
        clearTimeout(timer);
        this.waiters.delete(onWake);
      };
      const onWake = (): void => {
        check();
      };
      if (!check()) this.waiters.add(onWake);
    });
  }

  /** SIGKILL now: the process gets no chance to close its sockets politely (a crash). */
  kill(): void {
    if (this.running) this.child.kill('SIGKILL');
  }

  /** SIGTERM, then SIGKILL if it is still running after `graceMs`. */
  async stop(graceMs = 5000): Promise<Exit> {
    if (!this.running) return this.exited;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.kill(), graceMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  stderrText(): string {
    return this.stderr;
  }

  private tail(): string {
    const text = this.stderr.trim();
    return text === '' ? '' : `; stderr ends with:\n${text.slice(-2000)}`;
  }

  private wake(): void {
    for (const w of [...this.waiters]) w();
  }
}

function parseEvent(line: string): CliEvent | null {
  if (!line.startsWith('{')) return null;
  try {
    const value: unknown = JSON.parse(line);
    if (typeof value === 'object' && value !== null && typeof (value as CliEvent).event === 'string') {
      return value as CliEvent;
    }
  } catch {
    // Not an event line; the commands print only JSON on stdout, so this is worth no more.
  }
  return null;
}

function describeExit(exit: Exit): string {
  return exit.signal !== null ? `signal ${exit.signal}` : `code ${exit.code}`;
}

/** The processes one test started; `stopAll` ends every one still running. */
export class ProcessGroup {
  private readonly procs: CliProcess[] = [];

  constructor(private readonly cwd: string) {}

  /** `node dist/cli/main.js <args>`, with CI=true so no progress bars are drawn. */
  cli(name: string, args: readonly string[]): CliProcess {
    requireBuiltCli();
    const child = spawn(process.execPath, [CLI_MAIN, ...args], {
      cwd: this.cwd,
      env: { ...process.env, CI: 'true' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const proc = new CliProcess(name, child);
    this.procs.push(proc);
    return proc;
  }

  all(): readonly CliProcess[] {
    return this.procs;
  }

  async stopAll(): Promise<void> {
    await Promise.all(this.procs.map((p) => p.stop(3000)));
  }
}
