/**
 * A spec → the concrete, numbered faults of a run. Random groups are drawn here, once, from the
 * seed: the same spec and seed give the same faults in the same places on every run. Each random
 * group is stratified (one fault per equal slice of its window) so 50 disconnects "across a day"
 * are spread over the day rather than clumped by chance.
 */
import type { Channel } from '../../collector/protocol/channel.js';
import { createPrng, type Prng } from '../prng.js';
import type { FaultDef, FaultKind, FaultPoint, FaultSpec } from './spec.js';

export interface PlannedFault extends FaultDef {
  /** 1-based number of the fault in the run (the report names faults by it). */
  readonly n: number;
  /** Seeds the fault's own random choices (bytes of garbage, field to corrupt…). */
  readonly seed: number;
}

export function planFaults(spec: FaultSpec, seed: number): PlannedFault[] {
  const defs: FaultDef[] = [...(spec.faults ?? [])];
  const prng = createPrng(seed);
  for (const group of spec.random ?? []) {
    const [from, to] = group.lines ?? group.timeMs ?? [0, 1];
    const slice = (to - from) / group.count;
    for (let i = 0; i < group.count; i++) {
      const lo = Math.floor(from + i * slice);
      const hi = Math.max(lo + 1, Math.floor(from + (i + 1) * slice));
      const where = lo + prng.below(hi - lo);
      const at: FaultPoint = group.lines ? { line: where } : { timeMs: where };
      const kind: FaultKind = pick(prng, group.kinds);
      const channel: Channel = pick(prng, group.channels);
      const symbols = group.symbols ?? [];
      defs.push({
        kind,
        channel,
        at,
        ...(symbols.length > 0 ? { symbol: pick(prng, symbols) } : {}),
        ...(group.ms !== undefined ? { ms: group.ms } : {}),
        ...(group.bytes !== undefined ? { bytes: group.bytes } : {}),
      });
    }
  }
  return defs.map((d, i) => ({
    ...d,
    n: i + 1,
    seed: (Math.imul(seed ^ 0x9e3779b9, i + 1) ^ (i * 0x85ebca6b)) >>> 0,
  }));
}

function pick<T>(prng: Prng, items: readonly T[]): T {
  return items[prng.below(items.length)]!;
}

/** Where a fault fires, for sorting and for the report: `line 1200` or `t+90000 ms`. */
export function describePoint(at: FaultPoint): string {
  return 'line' in at ? `line ${at.line}` : `t+${at.timeMs} ms`;
}
