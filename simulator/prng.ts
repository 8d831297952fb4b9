/**
 * A small seeded PRNG (mulberry32). Everything random in the simulator draws from one of these,
 * created from `--seed`, so a run replays exactly from its seed; nothing uses Math.random.
 */
export interface Prng {
  /** A uniform 32-bit unsigned integer. */
  nextUint32(): number;
  /** A uniform float in [0, 1). */
  next(): number;
  /** A uniform integer in [0, n). */
  below(n: number): number;
}

export function createPrng(seed: number): Prng {
  let state = seed >>> 0;
  const nextUint32 = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
  return {
    nextUint32,
    next: () => nextUint32() / 0x1_0000_0000,
    below: (n) => Math.floor((nextUint32() / 0x1_0000_0000) * n),
  };
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** `length` letters and digits, e.g. the token in `S,CUST` (`1EKZB9j4DpNnBtTk` in a real one). */
export function randomToken(prng: Prng, length: number): string {
  let s = '';
  for (let i = 0; i < length; i++) s += ALNUM[prng.below(ALNUM.length)];
  return s;
}
