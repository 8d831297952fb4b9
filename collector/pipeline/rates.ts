/**
 * Lines per second per channel, sampled once a second from running totals, with the last ten
 * minutes kept for the monitor page's chart.
 */
import type { RateSample } from '../monitor/status.js';
import type { Channel } from '../protocol/channel.js';

const HISTORY = 600;

export class RateTracker {
  private last: Record<Channel, number> | null = null;
  private lastAtMs = 0;
  private current: Record<Channel, number> = { L1: 0, L2: 0, ADMIN: 0 };
  private readonly samples: RateSample[] = [];

  /** Take a sample from the totals now (`nowMs` epoch ms). */
  sample(totals: Readonly<Record<Channel, number>>, nowMs: number): void {
    if (this.last !== null && nowMs > this.lastAtMs) {
      const s = (nowMs - this.lastAtMs) / 1000;
      this.current = {
        L1: Math.max(0, (totals.L1 - this.last.L1) / s),
        L2: Math.max(0, (totals.L2 - this.last.L2) / s),
        ADMIN: Math.max(0, (totals.ADMIN - this.last.ADMIN) / s),
      };
      this.samples.push({ t: nowMs, rates: this.current });
      if (this.samples.length > HISTORY) this.samples.shift();
    }
    this.last = { ...totals };
    this.lastAtMs = nowMs;
  }

  /** When the current rates were sampled (epoch ms), null before the first interval. */
  sampledAt(): number | null {
    return this.samples.at(-1)?.t ?? null;
  }

  rates(): Readonly<Record<Channel, number>> {
    return this.current;
  }

  history(): readonly RateSample[] {
    return this.samples;
  }
}
