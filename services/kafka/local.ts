import { L2hError } from '../../common/errors.js';
import { type Child, describeExit, spawnChild } from '../shared/child.js';
import { alreadyStopped, type ResolvedContext } from '../shared/context.js';
import type { KafkaHandle } from './handle.js';
import { ensureMockLauncher } from './launcher-build.js';
import type { ResolvedKafkaOptions } from './options.js';

/** Exit code of the launcher when librdkafka's private layout is not the one it mirrors. */
const EXIT_LAYOUT_MISMATCH = 3;

/** Lines from the launcher's stdout, handed out in order to whoever waits. */
class LineQueue {
  private readonly lines: string[] = [];
  private waiter: ((line: string | null) => void) | null = null;
  private closed = false;

  push(line: string): void {
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = null;
      w(line);
    } else {
      this.lines.push(line);
    }
  }

  close(): void {
    this.closed = true;
    this.waiter?.(null);
    this.waiter = null;
  }

  /** The next line, or null once the launcher has exited or `timeoutMs` passed. */
  next(ctx: ResolvedContext, timeoutMs: number): Promise<string | null> {
    const line = this.lines.shift();
    if (line !== undefined) return Promise.resolve(line);
    if (this.closed) return Promise.resolve(null);
    return new Promise((resolve) => {
      const timer = ctx.clock.setTimeout(() => {
        this.waiter = null;
        resolve(null);
      }, timeoutMs);
      this.waiter = (l) => {
        timer.cancel();
        resolve(l);
      };
    });
  }
}

function launcherFailure(child: Child, what: string): L2hError {
  const exit = child.exitInfo();
  const output = child.output().trim() || '(nothing on stderr)';
  if (exit?.code === EXIT_LAYOUT_MISMATCH) {
    return new L2hError(`The Kafka mock launcher refused to start: ${output}`, {
      code: 'SERVICE_UNAVAILABLE',
      context: { service: 'kafka', launcher: child.label },
      hint: 'this librdkafka is not the 2.0.2 the launcher was written for: set KAFKA_BROKERS to a real Kafka',
    });
  }
  const state = exit ? `exited (${describeExit(exit)})` : 'is still running';
  return new L2hError(`The Kafka mock launcher ${state} without ${what}; stderr: ${output}`, {
    code: 'SERVICE_UNAVAILABLE',
    context: { service: 'kafka', launcher: child.label },
  });
}

/**
 * librdkafka's in-memory mock cluster, run by our launcher as a child process on random ports.
 * The data lives in that process, so `pause()` takes every broker down (connections dropped,
 * new ones refused) instead of stopping it, and `resume()` brings them up: offsets, messages
 * and committed group offsets survive. `stop()` closes its stdin; it exits at once.
 */
export async function startKafkaMock(
  options: ResolvedKafkaOptions,
  ctx: ResolvedContext,
): Promise<KafkaHandle> {
  const started = ctx.clock.monoUs();
  const launcher = await ensureMockLauncher(options, ctx);
  const lines = new LineQueue();
  const child = await spawnChild({
    command: launcher,
    args: ['-b', String(options.brokerCount), ...options.topics.map((t) => `${t.name}:${t.partitions}`)],
    label: 'kafka mock launcher',
    logger: ctx.logger,
    lifeline: 'stdin',
    onStdoutLine: (line) => lines.push(line),
  });
  void child.exited.then(() => lines.close());

  const first = await lines.next(ctx, options.startTimeoutMs);
  const second = first === null ? null : await lines.next(ctx, options.startTimeoutMs);
  if (
    first === null ||
    !first.startsWith('BOOTSTRAP=') ||
    second === null ||
    !second.startsWith('VERSION=')
  ) {
    await child.terminate(1_000);
    throw launcherFailure(child, 'printing BOOTSTRAP= and VERSION= lines');
  }
  const brokers = first.slice('BOOTSTRAP='.length).split(',');
  const version = `librdkafka-mock ${second.slice('VERSION='.length)}`;

  // One command at a time, so each reply belongs to the command before it.
  let queue: Promise<unknown> = Promise.resolve();
  const command = (cmd: string): Promise<void> => {
    const run = async (): Promise<void> => {
      if (child.exitInfo() !== null || child.stdin === null) throw launcherFailure(child, `running "${cmd}"`);
      child.stdin.write(`${cmd}\n`);
      const reply = await lines.next(ctx, 5_000);
      if (reply !== `OK ${cmd}`) {
        throw new L2hError(`Kafka mock launcher did not confirm "${cmd}": ${reply ?? 'no reply'}`, {
          code: 'SERVICE_UNAVAILABLE',
          context: { service: 'kafka' },
        });
      }
    };
    const next = queue.then(run, run);
    queue = next.catch(() => {});
    return next;
  };

  ctx.logger.info(
    {
      service: 'kafka',
      source: 'local',
      brokers,
      version,
      ms: Math.round((ctx.clock.monoUs() - started) / 1000),
    },
    'service ready',
  );
  let stopped = false;
  return {
    name: 'kafka',
    source: 'local',
    brokers,
    topics: options.topics,
    version,
    outage: 'kept',
    pause: () => (stopped ? Promise.reject(alreadyStopped('kafka')) : command('down')),
    resume: () => (stopped ? Promise.reject(alreadyStopped('kafka')) : command('up')),
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await child.terminate(2_000);
    },
    describe: () => `local ${version}`,
    localPid: () => (stopped || child.exitInfo() !== null ? null : child.pid),
  };
}
