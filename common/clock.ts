/**
 * Time is injected, never read from globals inside logic that must be deterministic or testable.
 * `wallUs` is epoch microseconds (what a journal stamps); `monoUs` never goes backwards
 * (what pacing and latency use).
 */
export interface Clock {
  wallUs(): number;
  monoUs(): number;
  setTimeout(fn: () => void, ms: number): Timer;
  setInterval(fn: () => void, ms: number): Timer;
}

export interface Timer {
  cancel(): void;
}

// process.hrtime() (two numbers) rather than process.hrtime.bigint(): the same monotonic source,
// and once inlined it allocates nothing, where the BigInt arithmetic allocated three objects per
// reading. The simulator's pacing spin reads the clock millions of times a second, and that
// garbage alone forced a young-generation collection every few ms (the pauses showed as pacing
// error); the collector stamps every feed line with it. (performance.now() allocates too.)
const [startS, startNs] = process.hrtime();
const wallAtStart = Date.now() * 1000;

/** µs since this module loaded, floored: exactly what the BigInt form computed. */
function elapsedUs(): number {
  const t = process.hrtime();
  return (t[0] - startS) * 1_000_000 + Math.floor((t[1] - startNs) / 1000);
}

export const systemClock: Clock = {
  wallUs: () => wallAtStart + elapsedUs(),
  monoUs: elapsedUs,
  setTimeout(fn, ms) {
    const t = setTimeout(fn, ms);
    return { cancel: () => clearTimeout(t) };
  },
  setInterval(fn, ms) {
    const t = setInterval(fn, ms);
    return { cancel: () => clearInterval(t) };
  },
};

/** A clock that moves only when told to: for tests and for deterministic simulation. */
export class ManualClock implements Clock {
  private nowUs: number;
  private readonly timers = new Map<number, { at: number; fn: () => void; every: number | null }>();
  private nextId = 1;

  constructor(startWallUs = 0) {
    this.nowUs = startWallUs;
  }

  wallUs(): number {
    return this.nowUs;
  }

  monoUs(): number {
    return this.nowUs;
  }

  setTimeout(fn: () => void, ms: number): Timer {
    const id = this.nextId++;
    this.timers.set(id, { at: this.nowUs + ms * 1000, fn, every: null });
    return { cancel: () => this.timers.delete(id) };
  }

  setInterval(fn: () => void, ms: number): Timer {
    const id = this.nextId++;
    this.timers.set(id, { at: this.nowUs + ms * 1000, fn, every: ms * 1000 });
    return { cancel: () => this.timers.delete(id) };
  }

  /** Advance time, firing due timers in time order. */
  advanceUs(us: number): void {
    const target = this.nowUs + us;
    for (;;) {
      let nextId = -1;
      let nextAt = Number.POSITIVE_INFINITY;
      for (const [id, t] of this.timers) {
        if (t.at <= target && t.at < nextAt) {
          nextAt = t.at;
          nextId = id;
        }
      }
      if (nextId < 0) break;
      const t = this.timers.get(nextId)!;
      this.nowUs = t.at;
      if (t.every === null) this.timers.delete(nextId);
      else t.at += t.every;
      t.fn();
    }
    this.nowUs = target;
  }
}
