import { L2hError } from '../../common/errors.js';
import { type Child, describeExit, spawnChild } from './child.js';
import type { ResolvedContext } from './context.js';
import { freePort } from './free-port.js';
import { pollUntil } from './poll.js';

/** How to run one kind of server as a child process on a port we choose. */
export interface LocalServerSpec {
  /** "clickhouse-server", for logs and errors. */
  readonly label: string;
  readonly command: string;
  /** The arguments for a server on `port` (may write a config file first). */
  args(port: number): Promise<readonly string[]>;
  /** One readiness probe; false or a throw means "not yet". */
  ready(port: number): Promise<boolean>;
  readonly startTimeoutMs: number;
  /** The server's private directory, deleted by its watchdog if we die without stopping it. */
  readonly dir: string;
  /** How long SIGTERM may take before SIGKILL. */
  readonly stopGraceMs: number;
  /** What the server prints when its port is taken, so we pick another instead of failing. */
  readonly portTaken: RegExp;
}

const PORT_ATTEMPTS = 5;

/** The port we chose was taken between freePort() and the server's bind. */
class PortTaken extends Error {}

/**
 * A server process on a private port, able to go down and come back on the same port (the
 * outage tests need clients to keep their address).
 */
export class LocalServer {
  private child: Child | null;

  private constructor(
    private readonly spec: LocalServerSpec,
    private readonly ctx: ResolvedContext,
    readonly port: number,
    child: Child,
  ) {
    this.child = child;
  }

  /** Start on a free port, choosing another when the first is taken before the server binds it. */
  static async start(spec: LocalServerSpec, ctx: ResolvedContext): Promise<LocalServer> {
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      try {
        const child = await launch(spec, ctx, port);
        return new LocalServer(spec, ctx, port, child);
      } catch (err) {
        if (!(err instanceof PortTaken) || attempt >= PORT_ATTEMPTS) throw unwrap(err, spec, port);
        ctx.logger.debug({ server: spec.label, port }, 'port taken before bind; trying another');
      }
    }
  }

  /** The server process while it runs, else null. */
  get pid(): number | null {
    return this.running ? (this.child?.pid ?? null) : null;
  }

  get running(): boolean {
    return this.child !== null && this.child.exitInfo() === null;
  }

  /** Stop the process (SIGTERM) and keep everything else: port, data directory, config. */
  async pause(): Promise<void> {
    await this.stop(this.spec.stopGraceMs);
  }

  /** Start again on the same port. Retries while the port is still held, up to the start timeout. */
  async resume(): Promise<void> {
    if (this.running) return;
    const deadline = this.ctx.clock.monoUs() + this.spec.startTimeoutMs * 1000;
    for (;;) {
      try {
        this.child = await launch(this.spec, this.ctx, this.port);
        return;
      } catch (err) {
        if (!(err instanceof PortTaken) || this.ctx.clock.monoUs() > deadline) {
          throw unwrap(err, this.spec, this.port);
        }
        await new Promise<void>((resolve) => this.ctx.clock.setTimeout(resolve, 100));
      }
    }
  }

  /** SIGTERM, then SIGKILL after `graceMs`: a server whose data is about to be deleted need not finish. */
  async stop(graceMs: number): Promise<void> {
    const child = this.child;
    this.child = null;
    if (child) await child.terminate(graceMs);
  }
}

async function launch(spec: LocalServerSpec, ctx: ResolvedContext, port: number): Promise<Child> {
  const child = await spawnChild({
    command: spec.command,
    args: await spec.args(port),
    label: `${spec.label} :${port}`,
    logger: ctx.logger,
    lifeline: 'tether',
    orphanDir: spec.dir,
  });
  try {
    await pollUntil(async () => ((await spec.ready(port)) ? true : undefined), {
      clock: ctx.clock,
      timeoutMs: spec.startTimeoutMs,
      intervalMs: 25,
      what: `${spec.label} to answer on 127.0.0.1:${port}`,
      abortIf: () => {
        const exit = child.exitInfo();
        if (exit === null) return undefined;
        if (spec.portTaken.test(child.output())) return new PortTaken();
        return new L2hError(
          `${spec.label} exited during startup (${describeExit(exit)}); its last output:\n${lastLines(child.output(), 20)}`,
          { code: 'SERVICE_UNAVAILABLE', context: { command: spec.command, port } },
        );
      },
    });
  } catch (err) {
    await child.terminate(spec.stopGraceMs);
    if (err instanceof L2hError && err.code === 'TIMEOUT') {
      throw new L2hError(`${err.message}; its last output:\n${lastLines(child.output(), 20)}`, {
        code: 'SERVICE_UNAVAILABLE',
        cause: err,
        context: { command: spec.command, port },
      });
    }
    throw err;
  }
  return child;
}

function unwrap(err: unknown, spec: LocalServerSpec, port: number): unknown {
  if (!(err instanceof PortTaken)) return err;
  return new L2hError(`${spec.label} could not bind 127.0.0.1:${port}: address already in use`, {
    code: 'SERVICE_UNAVAILABLE',
    retriable: true,
    context: { command: spec.command, port },
  });
}

function lastLines(text: string, n: number): string {
  const lines = text.trimEnd().split('\n');
  return lines.slice(-n).join('\n') || '(nothing)';
}
