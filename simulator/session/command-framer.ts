/**
 * Splits a client's bytes into command lines (CRLF or LF, IQFEED-PROTOCOL.md §1.2) with a bound
 * on a line's length. A line over the bound is dropped whole, up to its terminator, and reported
 * once: cutting it into bound-sized pieces (as the collector's framer does for data lines) would
 * turn the tail of a client's garbage into commands — junk followed by `wAAPL` would watch AAPL.
 */

/** What one chunk of input yielded, in order: a command line, or an over-long line dropped. */
export type FramedInput = { readonly line: string } | { readonly oversized: number };

export class CommandFramer {
  private pending = '';
  /** Inside a line already over the bound: bytes skipped so far, until its terminator. */
  private skipping = -1;

  constructor(private readonly maxLineBytes: number) {}

  push(chunk: Buffer): FramedInput[] {
    const out: FramedInput[] = [];
    const text = chunk.toString('latin1');
    let from = 0;
    for (;;) {
      const lf = text.indexOf('\n', from);
      if (lf < 0) break;
      const piece = text.slice(from, lf);
      from = lf + 1;
      if (this.skipping >= 0) {
        out.push({ oversized: this.skipping + piece.length + 1 });
        this.skipping = -1;
        continue;
      }
      const line = this.pending + piece;
      this.pending = '';
      const body = line.endsWith('\r') ? line.slice(0, -1) : line;
      if (body.length > this.maxLineBytes) out.push({ oversized: line.length + 1 });
      else out.push({ line: body });
    }
    const rest = text.slice(from);
    if (this.skipping >= 0) this.skipping += rest.length;
    else if (this.pending.length + rest.length > this.maxLineBytes + 1) {
      // Over the bound with no terminator yet: stop keeping it (a client must not grow our memory).
      this.skipping = this.pending.length + rest.length;
      this.pending = '';
    } else this.pending += rest;
    return out;
  }
}
