import type { CrossState, IntegrityCounts, IntegrityKind } from './types.js';

/**
 * Bits a book operation returns, so the hot path reports issues without allocating; the
 * caller turns a non-zero mask into issue entries (with its own symbol and seq) via
 * `integrityKinds`.
 */
export const IntegrityFlag = {
  crossed: 1,
  locked: 2,
  nonPositiveSize: 4,
  unknownDelete: 8,
  unknownUpdate: 16,
  sideChange: 32,
  duplicateAdd: 64,
} as const satisfies Record<IntegrityKind, number>;

const KINDS: readonly IntegrityKind[] = [
  'crossed',
  'locked',
  'nonPositiveSize',
  'unknownDelete',
  'unknownUpdate',
  'sideChange',
  'duplicateAdd',
];

/** The issue kinds in a flag mask, in a fixed order. Allocates: call it only when flags ≠ 0. */
export function integrityKinds(flags: number): IntegrityKind[] {
  const out: IntegrityKind[] = [];
  for (const kind of KINDS) if ((flags & IntegrityFlag[kind]) !== 0) out.push(kind);
  return out;
}

export function emptyIntegrityCounts(): IntegrityCounts {
  return {
    crossed: 0,
    locked: 0,
    nonPositiveSize: 0,
    unknownDelete: 0,
    unknownUpdate: 0,
    sideChange: 0,
    duplicateAdd: 0,
  };
}

/**
 * Counts issues and follows the cross state of one book. Every mutation ends in `finish`, which
 * adds the crossed/locked transition bits, counts every bit once and remembers the mask.
 */
export class IntegrityTracker {
  private crossed = 0;
  private locked = 0;
  private nonPositiveSize = 0;
  private unknownDelete = 0;
  private unknownUpdate = 0;
  private sideChange = 0;
  private duplicateAdd = 0;
  private state: CrossState = 'normal';
  lastFlags = 0;

  /** `bestBid` / `bestAsk` are NaN for an empty side, which compares false and reads as normal. */
  finish(flags: number, bestBid: number, bestAsk: number): number {
    const next: CrossState = bestBid > bestAsk ? 'crossed' : bestBid === bestAsk ? 'locked' : 'normal';
    if (next !== this.state) {
      // Count entering a state, not each message while it lasts: a book can stay crossed for
      // thousands of updates and that is one incident.
      if (next === 'crossed') flags |= IntegrityFlag.crossed;
      else if (next === 'locked') flags |= IntegrityFlag.locked;
      this.state = next;
    }
    if (flags !== 0) this.count(flags);
    this.lastFlags = flags;
    return flags;
  }

  crossState(): CrossState {
    return this.state;
  }

  counts(): IntegrityCounts {
    return {
      crossed: this.crossed,
      locked: this.locked,
      nonPositiveSize: this.nonPositiveSize,
      unknownDelete: this.unknownDelete,
      unknownUpdate: this.unknownUpdate,
      sideChange: this.sideChange,
      duplicateAdd: this.duplicateAdd,
    };
  }

  private count(flags: number): void {
    if (flags & IntegrityFlag.crossed) this.crossed++;
    if (flags & IntegrityFlag.locked) this.locked++;
    if (flags & IntegrityFlag.nonPositiveSize) this.nonPositiveSize++;
    if (flags & IntegrityFlag.unknownDelete) this.unknownDelete++;
    if (flags & IntegrityFlag.unknownUpdate) this.unknownUpdate++;
    if (flags & IntegrityFlag.sideChange) this.sideChange++;
    if (flags & IntegrityFlag.duplicateAdd) this.duplicateAdd++;
  }
}
