/**
 * What can make the one live replay cursor wait: the `--hold-when-unwatched` hold, and with
 * `--wait-for-clients` an L1/L2 connection whose queued output is over its bound (or held by a
 * `stall` fault) until it drains, or closes. The replay runs only while the gate is open; a paced
 * replay shifts the rest of its schedule by each wait (engine.ts). Without `--wait-for-clients`
 * an L1/L2 connection over its bound never blocks it: it falls behind alone and is served from the
 * tape (catch-up.ts). An admin connection never blocks it (its periodic pushes are skipped).
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
