import type { HeaderEntries } from './format.js';

/** A tape's `#` lines: the version from `#l2tape N` and every other `#key value` in file order. */
export interface TapeHeader {
  readonly version: number;
  /** Every header after `#l2tape`, in file order, keys without `#`; unknown keys are kept. */
  readonly entries: HeaderEntries;
  /** The value of the first header with this key (no `#`), `''` for a bare `#key`. */
  get(key: string): string | undefined;
}

export function makeTapeHeader(version: number, entries: HeaderEntries): TapeHeader {
  const frozen = Object.freeze(entries.map(([k, v]) => Object.freeze([k, v] as const)));
  return {
    version,
    entries: frozen,
    get(key: string): string | undefined {
      for (const [k, v] of frozen) if (k === key) return v;
      return undefined;
    },
  };
}
