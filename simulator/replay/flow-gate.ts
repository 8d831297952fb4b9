/**
 * Backpressure between the one global replay cursor and the connections it feeds. A connection
 * whose queued output is over its bound (or that a send path stalls) blocks the gate; the replay
 * runs only while the gate is open. Nothing is dropped to make room: a slow reader slows the
 * replay for everyone, which is what keeps every connection's stream complete and identical
 * across runs.
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
