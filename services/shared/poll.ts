import type { Clock } from '../../common/clock.js';
import { L2hError } from '../../common/errors.js';

export interface PollOptions {
  readonly clock: Clock;
  readonly timeoutMs: number;
  readonly intervalMs: number;
  /** Names the condition in the timeout error: "ClickHouse /ping on 127.0.0.1:41234". */
  readonly what: string;
  /** Checked before every attempt: an error here ends the wait at once (e.g. the process died). */
  readonly abortIf?: () => Error | undefined;
}

/**
 * Calls `attempt` until it returns a value other than `undefined`, the deadline passes (throws
 * TIMEOUT naming `what` and the last failure) or `abortIf` reports an error (thrown as is).
 * An exception from `attempt` counts as "not yet" and is remembered for the timeout message.
 */
export async function pollUntil<T>(attempt: () => Promise<T | undefined>, options: PollOptions): Promise<T> {
  const { clock } = options;
  const deadlineUs = clock.monoUs() + options.timeoutMs * 1000;
  let lastFailure = '';
  for (;;) {
    const aborted = options.abortIf?.();
    if (aborted) throw aborted;
    try {
      const value = await attempt();
      if (value !== undefined) return value;
      lastFailure = 'not ready';
    } catch (err) {
      lastFailure = err instanceof Error ? err.message : String(err);
    }
    const leftMs = (deadlineUs - clock.monoUs()) / 1000;
    if (leftMs <= 0) {
      throw new L2hError(`Timed out after ${options.timeoutMs} ms waiting for ${options.what}`, {
        code: 'TIMEOUT',
        retriable: true,
        context: { lastFailure },
      });
    }
    await new Promise<void>((resolve) => clock.setTimeout(resolve, Math.min(options.intervalMs, leftMs)));
  }
}
