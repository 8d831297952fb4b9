import type { BookDiff, BookSideView } from '../harness/results/types.js';

/**
 * Two books side by side, level by level, with the cells that differ marked. Shared by the HTML,
 * Markdown and JUnit renderers so they all point at the same cells.
 */
export interface BookDiffRow {
  readonly level: number;
  readonly expectedBid: BookSideView | null;
  readonly expectedAsk: BookSideView | null;
  readonly actualBid: BookSideView | null;
  readonly actualAsk: BookSideView | null;
  readonly bidDiffers: boolean;
  readonly askDiffers: boolean;
}

function same(a: BookSideView | null, b: BookSideView | null): boolean {
  if (a === null || b === null) return a === b;
  return a.price === b.price && a.size === b.size;
}

export function bookDiffRows(diff: BookDiff): BookDiffRow[] {
  const depth = Math.max(
    diff.expected.bids.length,
    diff.expected.asks.length,
    diff.actual.bids.length,
    diff.actual.asks.length,
  );
  const rows: BookDiffRow[] = [];
  for (let i = 0; i < depth; i++) {
    const expectedBid = diff.expected.bids[i] ?? null;
    const expectedAsk = diff.expected.asks[i] ?? null;
    const actualBid = diff.actual.bids[i] ?? null;
    const actualAsk = diff.actual.asks[i] ?? null;
    rows.push({
      level: i + 1,
      expectedBid,
      expectedAsk,
      actualBid,
      actualAsk,
      bidDiffers: !same(expectedBid, actualBid),
      askDiffers: !same(expectedAsk, actualAsk),
    });
  }
  return rows;
}

export function differingLevels(rows: readonly BookDiffRow[]): number {
  return rows.filter((r) => r.bidDiffers || r.askDiffers).length;
}

/** One side of a level as text: `18 @ 585.33`, or `—` where the book has no such level. */
export function sideText(side: BookSideView | null): string {
  return side === null ? '—' : `${String(side.size)} @ ${String(side.price)}`;
}
