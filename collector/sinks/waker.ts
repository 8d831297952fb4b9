import type { Clock, Timer } from '../../common/clock.js';

/**
 * One sleeping loop and whoever may have news for it: `wait(ms)` resolves at `wake()` or after
 * `ms` (on the injected clock), whichever comes first. A wake with nobody waiting is remembered,
 * so news that arrives between two waits is never missed.
 */
export class Waker {
  private resolve: (() => void) | null = null;
  private timer: Timer | null = null;
  private pending = false;

  constructor(private readonly clock: Clock) {}

  wake(): void {
    const resolve = this.resolve;
    if (resolve === null) {
      this.pending = true;
      return;
    }
    this.finish();
    resolve();
  }

  wait(ms: number): Promise<void> {
    if (this.pending) {
      this.pending = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      this.resolve = resolve;
      if (Number.isFinite(ms)) {
        this.timer = this.clock.setTimeout(
          () => {
            this.finish();
            resolve();
          },
          Math.max(0, ms),
        );
      }
    });
  }

  private finish(): void {
    this.resolve = null;
    this.timer?.cancel();
    this.timer = null;
  }
}
