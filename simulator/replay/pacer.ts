/**
 * When each tape line is due, in the simulator clock's monotonic µs. One schedule for all
 * connections: the replay has a single cursor.
 *
 * - speed N: the line's recorded offset divided by N after the replay start;
 * - rate R: line i (counting from the start) at i/R seconds, whatever the tape's timing;
 * - max: always due; the replay runs as fast as the clients read.
 * A wait at the flow gate shifts the rest of the schedule by as long as it kept a due line
 * waiting, so the recorded gaps between lines are kept after a slow client catches up instead of
 * being sent in a burst (engine.ts measures it).
 */
import type { Pacing } from '../options.js';

export class Pacer {
  private startUs = 0;
  private shiftUs = 0;

  constructor(
    readonly pacing: Pacing,
    /** The offset of the tape's first body line: speed pacing measures from here. */
    private readonly firstOffsetUs: number,
  ) {}

  get paced(): boolean {
    return this.pacing.kind !== 'max';
  }

  start(nowUs: number): void {
    this.startUs = nowUs;
  }

  /** The replay waited `us` for a slow client: everything after moves back by as much. */
  shift(us: number): void {
    this.shiftUs += us;
  }

  /** Due time of the tape line at `offsetUs`, the `index`-th line since the start. */
  lineDue(offsetUs: number, index: number): number {
    const p = this.pacing;
    if (p.kind === 'speed') return this.startUs + this.shiftUs + (offsetUs - this.firstOffsetUs) / p.factor;
    if (p.kind === 'rate') return this.startUs + this.shiftUs + (index * 1_000_000) / p.linesPerSecond;
    return Number.NEGATIVE_INFINITY;
  }

  /**
   * Due time of a synthesized second tick at tape offset `offsetUs`, before the `index`-th line.
   * At a fixed rate the tape's time does not drive sending, so a tick goes with the next line.
   */
  tickDue(offsetUs: number, nextIndex: number): number {
    if (this.pacing.kind === 'rate') return this.lineDue(0, nextIndex);
    return this.lineDue(offsetUs, nextIndex);
  }

  describe(): string {
    const p = this.pacing;
    return p.kind === 'speed'
      ? `speed ${p.factor}`
      : p.kind === 'rate'
        ? `rate ${p.linesPerSecond}/s`
        : 'max';
  }
}
