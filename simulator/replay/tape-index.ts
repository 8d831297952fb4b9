/**
 * One pass over the tape before the ports open, to learn what the simulator must know before
 * the first client asks: which symbols the tape holds (`n,<sym>` for the others), which depth
 * families each has (`q,<sym>` when a watch asks for one it lacks), whether the tape carries its
 * own `T` lines per channel (then those are replayed and none are synthesized: never both), and
 * the simulated time of its first line (the base for synthesized `T` lines and admin STATS).
 *
 * Time base, first that applies: header `#start-us` (epoch µs of the first body line); else the
 * first L1/L2 line that carries its own time and date (a `T` line, an L2 row's time and date, a
 * Q/P line whose field list has Most Recent Trade Time and Date); else `#date` at 00:00 US
 * Eastern; else 1970-01-01 00:00 Eastern.
 */

import type { TapeHeader, TapeLine } from '../../collector/tape/reader.js';
import { easternToEpochUs } from '../../common/eastern-time.js';
import { inputError } from '../../common/errors.js';
import { type DepthFamily, depthFamilyOf } from '../state/depth-state.js';
import { FieldList, lineFields } from '../state/field-list.js';
import { DEFAULT_TAPE_FIELDS } from './l1-fields.js';

export type TimeBaseSource = 'start-us' | 'first-line' | 'date' | 'none';

export interface TapeIndex {
  /** Every symbol the tape holds: `#symbols` plus every symbol of an L1/L2 data line. */
  readonly symbols: ReadonlySet<string>;
  /** The symbols `--start all-watched` waits for: `#symbols`, else all of `symbols`. */
  readonly startSymbols: readonly string[];
  /** Depth families per symbol: declared by `#l2` or seen in the tape's rows. */
  readonly depth: ReadonlyMap<string, ReadonlySet<DepthFamily>>;
  /** Whether the tape holds `T` lines on each streaming channel. */
  readonly tapeTimestamps: { readonly L1: boolean; readonly L2: boolean };
  /** Simulated time (epoch µs) of the first body line. */
  readonly startUs: number;
  readonly timeBase: TimeBaseSource;
  /** Offset of the first body line (0 for a whole tape; a slice may start later). */
  readonly firstOffsetUs: number;
  readonly lastOffsetUs: number;
  readonly lines: number;
  /** Body lines per streaming channel. */
  readonly channelLines: { readonly L1: number; readonly L2: number };
}

const FAMILIES: readonly DepthFamily[] = ['mbp', 'mbo', 'mm'];

/** Builds the index incrementally; `add` each batch, then `finish`. */
export class TapeIndexer {
  private readonly symbols = new Set<string>();
  private readonly depth = new Map<string, Set<DepthFamily>>();
  private readonly tapeTimestamps = { L1: false, L2: false };
  private firstOffset = -1;
  private lastOffset = 0;
  private count = 0;
  private readonly channelLines = { L1: 0, L2: 0 };
  private l1List = new FieldList(DEFAULT_TAPE_FIELDS);
  /** Sim time at offset 0 from the first line carrying its own time, or null until found. */
  private lineBase: number | null = null;
  private readonly headerSymbols: readonly string[];
  private readonly declaredAll: DepthFamily | null;

  constructor(
    private readonly header: TapeHeader,
    private readonly file: string,
  ) {
    this.headerSymbols = splitList(header.get('symbols') ?? '');
    for (const s of this.headerSymbols) this.symbols.add(s);
    this.declaredAll = this.readL2Header();
  }

  add(batch: readonly TapeLine[]): void {
    for (const tl of batch) {
      if (this.firstOffset < 0) this.firstOffset = tl.offsetUs;
      this.lastOffset = tl.offsetUs;
      this.count++;
      if (tl.channel === 'ADMIN') continue;
      this.channelLines[tl.channel]++;
      const line = tl.line;
      const code = line.charCodeAt(0);
      if (code === 84 /* T */ && line.charCodeAt(1) === 44) {
        this.tapeTimestamps[tl.channel] = true;
        if (this.lineBase === null) this.baseFrom(timestampTime(line), tl.offsetUs);
        continue;
      }
      if (line.charCodeAt(1) !== 44) continue;
      if (tl.channel === 'L2') this.addL2(line, code, tl.offsetUs);
      else this.addL1(line, code, tl.offsetUs);
    }
  }

  finish(): TapeIndex {
    const firstOffsetUs = Math.max(this.firstOffset, 0);
    let startUs: number;
    let timeBase: TimeBaseSource;
    const startText = this.header.get('start-us');
    const date = this.header.get('date');
    if (startText !== undefined && startText !== '') {
      const n = Number(startText);
      if (!Number.isSafeInteger(n)) {
        throw inputError('#start-us must be whole epoch microseconds', { file: this.file, value: startText });
      }
      startUs = n;
      timeBase = 'start-us';
    } else if (this.lineBase !== null) {
      startUs = this.lineBase + firstOffsetUs;
      timeBase = 'first-line';
    } else if (date !== undefined && /^\d{4}-\d\d-\d\d$/.test(date)) {
      startUs = easternToEpochUs(date, '00:00:00');
      timeBase = 'date';
    } else {
      startUs = easternToEpochUs('1970-01-01', '00:00:00');
      timeBase = 'none';
    }
    const depth = new Map<string, ReadonlySet<DepthFamily>>();
    for (const s of this.symbols) {
      const fams = new Set<DepthFamily>(this.depth.get(s) ?? []);
      if (this.declaredAll) fams.add(this.declaredAll);
      depth.set(s, fams);
    }
    return {
      symbols: this.symbols,
      startSymbols: this.headerSymbols.length > 0 ? this.headerSymbols : [...this.symbols],
      depth,
      tapeTimestamps: { ...this.tapeTimestamps },
      startUs,
      timeBase,
      firstOffsetUs,
      lastOffsetUs: this.lastOffset,
      lines: this.count,
      channelLines: { ...this.channelLines },
    };
  }

  private addL2(line: string, code: number, offsetUs: number): void {
    const family = depthFamilyOf(code);
    if (family !== null) {
      const symEnd = line.indexOf(',', 2);
      if (symEnd < 0) return;
      const symbol = line.slice(2, symEnd);
      this.symbols.add(symbol);
      this.family(symbol).add(family);
      if (this.lineBase === null) this.baseFrom(depthRowTime(line, family), offsetUs);
    } else if (code === 83 /* S */ && line.startsWith('S,CLEAR DEPTH,')) {
      const end = line.indexOf(',', 14);
      const symbol = line.slice(14, end < 0 ? line.length : end);
      if (symbol !== '') this.symbols.add(symbol);
    }
  }

  private addL1(line: string, code: number, offsetUs: number): void {
    switch (code) {
      case 81: // Q
      case 80: // P
      case 70: // F
      case 82: // R
      case 67: {
        // C
        const end = line.indexOf(',', 2);
        const symbol = line.slice(2, end < 0 ? line.length : end);
        if (symbol !== '') this.symbols.add(symbol);
        if (this.lineBase === null && (code === 81 || code === 80)) {
          this.baseFrom(quoteTime(line, this.l1List), offsetUs);
        }
        return;
      }
      case 83: // S
        if (line.startsWith('S,CURRENT UPDATE FIELDNAMES,')) {
          this.l1List = new FieldList(line.slice('S,CURRENT UPDATE FIELDNAMES,'.length).split(','));
        }
        return;
    }
  }

  private baseFrom(timeUs: number | null, offsetUs: number): void {
    if (timeUs !== null) this.lineBase = timeUs - offsetUs;
  }

  private family(symbol: string): Set<DepthFamily> {
    let f = this.depth.get(symbol);
    if (!f) {
      f = new Set();
      this.depth.set(symbol, f);
    }
    return f;
  }

  /** `#l2 mbp` (every symbol) or `#l2 AAPL=mbp,MSFT=mbo,IBM=mm`. */
  private readL2Header(): DepthFamily | null {
    const text = this.header.get('l2');
    if (text === undefined || text.trim() === '') return null;
    const all = text.trim();
    if (isFamily(all)) return all;
    for (const part of splitList(all)) {
      const eq = part.indexOf('=');
      const family = part.slice(eq + 1);
      if (eq <= 0 || !isFamily(family)) {
        throw inputError(
          `bad #l2 header entry ${JSON.stringify(part)}: expected mbp, mbo or mm, or SYMBOL=family pairs`,
          { file: this.file, header: 'l2' },
          'e.g. "#l2 mbp" or "#l2 AAPL=mbp,MSFT=mbo,IBM=mm"',
        );
      }
      const symbol = part.slice(0, eq);
      this.symbols.add(symbol);
      this.family(symbol).add(family);
    }
    return null;
  }
}

function isFamily(text: string): text is DepthFamily {
  return (FAMILIES as readonly string[]).includes(text);
}

/** A header list: comma- or space-separated. */
export function splitList(text: string): string[] {
  return text.split(/[\s,]+/).filter((s) => s !== '');
}

const TIME = /^\d\d:\d\d:\d\d(\.\d{1,6})?$/;
const ISO_DATE = /^\d{4}-\d\d-\d\d$/;
const US_DATE = /^(\d\d)\/(\d\d)\/(\d{4})$/;

/** `T,YYYYMMDD HH:MM:SS` → epoch µs. */
export function timestampTime(line: string): number | null {
  const m = /^T,(\d{4})(\d\d)(\d\d) (\d\d:\d\d:\d\d)$/.exec(line);
  return m ? easternToEpochUs(`${m[1]}-${m[2]}-${m[3]}`, m[4]) : null;
}

/** An L2 row's own time and date: the last two fields (6.2), or Bid Time and Date (legacy). */
function depthRowTime(line: string, family: DepthFamily): number | null {
  const f = lineFields(line);
  return family === 'mm' ? timeAndDate(f[6], f[7]) : timeAndDate(f[f.length - 2], f[f.length - 1]);
}

/** `HH:MM:SS[.ffffff]` and `YYYY-MM-DD` → epoch µs; null for anything else (`99:99:99` = no time). */
function timeAndDate(time: string | undefined, date: string | undefined): number | null {
  if (time === undefined || date === undefined || !TIME.test(time) || !ISO_DATE.test(date)) return null;
  if (Number(time.slice(0, 2)) > 23 || Number(time.slice(3, 5)) > 59 || Number(time.slice(6, 8)) > 59)
    return null;
  return easternToEpochUs(date, time);
}

/** A Q/P line's Most Recent Trade Time and Date, when its field list has both. */
function quoteTime(line: string, list: FieldList): number | null {
  const ti = list.indexOf('Most Recent Trade Time');
  const di = list.indexOf('Most Recent Trade Date');
  if (ti < 0 || di < 0) return null;
  const f = lineFields(line);
  const m = US_DATE.exec(f[di] ?? '');
  return m ? timeAndDate(f[ti], `${m[3]}-${m[1]}-${m[2]}`) : null;
}
