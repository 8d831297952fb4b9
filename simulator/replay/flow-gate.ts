/**
 * What can make the one live replay cursor wait: an admin connection whose queued output is over
 * its bound (its STATS lines are made live and cannot be replayed later, so it pauses the replay
 * for everyone until it drains), and the `--hold-when-unwatched` hold. The replay runs only while
 * the gate is open. An L1/L2 connection over its bound never blocks it: it falls behind alone and
 * is served from the tape (catch-up.ts).
 */
export class FlowGate {
  private readonly blockers = new Set<object>();
  private waiter: (() => void) | null = null;
  /** Set by a connection whose unflushed output reached its bound: flush before going on. */
  flushWanted = false;

  get open(): boolean {
    return this.blockers.size === 0;
  }

  block(who: object): void {
    this.blockers.add(who);
  }

  unblock(who: object): void {
    if (!this.blockers.delete(who) || this.blockers.size > 0) return;
    const w = this.waiter;
    this.waiter = null;
    w?.();
  }

  /** Call `fn` once the gate is open again (replaces an earlier waiter). */
  whenOpen(fn: () => void): void {
    this.waiter = fn;
  }
}
