/**
 * What the simulator remembers of one symbol's Level 1 stream, to answer a watch that arrives
 * mid-replay the way IQConnect does: `F` (the last fundamental line seen) then `P` (the current
 * summary, in the client's field list). Q/P lines carry every field of their list (they are not
 * deltas), so the current state is the last Q/P line; fields that only an earlier tape field list
 * had are kept in `carried` when the tape's list changes.
 *
 * Kept cheap on the hot path: a Q/P/F line is stored as it is and split only when a snapshot is
 * asked for.
 */
import { ownCopy } from './depth-state.js';
import { type FieldList, lineFields } from './field-list.js';

/** Fields in an F line from protocol 6.1 on (IQFEED-PROTOCOL.md §5.4). */
export const FUNDAMENTAL_FIELD_COUNT = 57;

export class L1SymbolState {
  private lastF: string | null = null;
  private quote: string | null = null;
  private quoteList: FieldList | null = null;
  private carried: Map<string, string> | null = null;

  constructor(readonly symbol: string) {}

  onFundamental(line: string): void {
    this.lastF = line;
  }

  onQuote(line: string, list: FieldList): void {
    this.quote = line;
    this.quoteList = list;
  }

  /** The tape's field list is about to change: keep values of fields the new list lacks. */
  carryOver(next: FieldList): void {
    if (this.quote === null || this.quoteList === null || this.quoteList.sameAs(next)) return;
    const values = this.carried ?? new Map<string, string>();
    const fields = lineFields(this.quote);
    this.quoteList.names.forEach((name, i) => {
      values.set(name, fields[i] ?? '');
    });
    this.carried = values;
  }

  /** Give the kept lines their own memory (see ownCopy). */
  compact(): void {
    if (this.lastF !== null) this.lastF = ownCopy(this.lastF);
    if (this.quote !== null) this.quote = ownCopy(this.quote);
  }

  /** True once any F, P or Q line of the symbol has been seen. */
  get hasState(): boolean {
    return this.lastF !== null || this.quote !== null;
  }

  /** `F` as IQConnect sends it on a watch: the last one seen, else one holding only the symbol. */
  fundamentalLine(): string {
    return this.lastF ?? `F,${this.symbol}${','.repeat(FUNDAMENTAL_FIELD_COUNT)}`;
  }

  /** `P` with the current state in `fields` (a field without a value goes out empty). */
  summaryLine(fields: FieldList): string {
    const values = this.quote === null ? [] : lineFields(this.quote);
    const list = this.quoteList;
    let out = 'P';
    for (const name of fields.names) {
      let v: string | undefined;
      if (name === 'Symbol') v = this.symbol;
      else {
        const i = list === null ? -1 : list.indexOf(name);
        v = i >= 0 ? values[i] : this.carried?.get(name);
      }
      out += `,${v ?? ''}`;
    }
    return `${out},`;
  }
}
