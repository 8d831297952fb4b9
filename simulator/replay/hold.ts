/**
 * `--hold-when-unwatched` (not IQConnect behaviour, for harnesses that restart their client):
 * while it is on, the replay cursor waits at the gate (the schedule shifts by the wait), and the
 * waits are counted for the stats. Whether to hold is the hub's call (a channel with tape lines
 * and no connection watching anything).
 */
import type { Clock } from '../../common/clock.js';
import type { Logger } from '../../common/logger.js';
import type { FlowGate } from './flow-gate.js';

export class ReplayHold {
  private holding = false;
  private startedUs = 0;
  private count = 0;
  private heldUs = 0;

  constructor(
    private readonly gate: FlowGate,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  set(on: boolean): void {
    if (on === this.holding) return;
    this.holding = on;
    const now = this.clock.monoUs();
    if (on) {
      this.count++;
      this.startedUs = now;
      this.gate.block(this);
      this.logger.info('no client watches a channel with tape lines: replay held');
    } else {
      this.heldUs += now - this.startedUs;
      this.gate.unblock(this);
      this.logger.info('every channel with tape lines is watched again: replay resumed');
    }
  }

  /** Times the replay was held. */
  get holds(): number {
    return this.count;
  }

  /** How long it was held in all, the hold in progress included. */
  get heldMs(): number {
    const now = this.holding ? this.clock.monoUs() - this.startedUs : 0;
    return Math.round((this.heldUs + now) / 1000);
  }
}
