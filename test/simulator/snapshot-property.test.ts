/**
 * Property: a client that watches mid-replay ends up with the same book as a client that watched
 * from the start, after its summary and after every line that follows.
 *
 * For each generated tape (one symbol, by-price and by-order rows, CLEAR DEPTH now and then),
 * client A watches WPL and WOR before the replay starts and client B watches at a generated
 * point mid-replay (a ManualClock holds the replay there). Both streams are applied to a tiny
 * book written here from IQFEED-PROTOCOL.md §6.3 — by price keyed by (side, price), by order
 * keyed by Order ID or (MMID, side) — and the books are compared after B's summary and after
 * each of B's later lines against A's book at the same point of the tape.
 */
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../common/clock.js';
import { cleanupTempDirs, startSim, type TapeBody, TestClient, waitFor, writeTape } from './helpers.js';

const D = '09:30:00.000100,2022-04-01,';
const PRICES = ['99.9500', '100.0000', '100.0500', '100.1000', '100.1500', '100.2000'];
const IDS = ['648907593901', '648907593902', '648907593903', '648907593904', '648907593905'];
const MMIDS = ['NSDQ', 'ARCA', 'MEMX'];

type Op =
  | { readonly k: 'level'; readonly side: 'A' | 'B'; readonly p: number; readonly size: number }
  | { readonly k: 'unlevel'; readonly side: 'A' | 'B'; readonly p: number }
  | {
      readonly k: 'order';
      readonly o: number;
      readonly side: 'A' | 'B';
      readonly p: number;
      readonly size: number;
      readonly prio: number;
    }
  | { readonly k: 'unorder'; readonly o: number }
  | {
      readonly k: 'mm';
      readonly m: number;
      readonly side: 'A' | 'B';
      readonly p: number;
      readonly size: number;
    }
  | { readonly k: 'unmm'; readonly m: number; readonly side: 'A' | 'B' }
  | { readonly k: 'clear'; readonly side: 'A' | 'B' };

const side = fc.constantFrom<'A' | 'B'>('A', 'B');
const price = fc.integer({ min: 0, max: PRICES.length - 1 });
const op: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      k: fc.constant('level' as const),
      side,
      p: price,
      size: fc.integer({ min: 1, max: 900 }),
    }),
  },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('unlevel' as const), side, p: price }) },
  {
    weight: 5,
    arbitrary: fc.record({
      k: fc.constant('order' as const),
      o: fc.integer({ min: 0, max: IDS.length - 1 }),
      side,
      p: price,
      size: fc.integer({ min: 1, max: 900 }),
      prio: fc.integer({ min: 1, max: 99 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      k: fc.constant('unorder' as const),
      o: fc.integer({ min: 0, max: IDS.length - 1 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      k: fc.constant('mm' as const),
      m: fc.integer({ min: 0, max: 2 }),
      side,
      p: price,
      size: fc.integer({ min: 1, max: 900 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ k: fc.constant('unmm' as const), m: fc.integer({ min: 0, max: 2 }), side }),
  },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('clear' as const), side }) },
);

/** Tape lines for the ops: the tape's own summary rows (7/6) first, then updates. */
function toLines(initial: readonly Op[], ops: readonly Op[]): string[] {
  const live = new Set<number>(); // order ids present, so adds and updates are used as on the wire
  const line = (o: Op, summary: boolean): string => {
    switch (o.k) {
      case 'level':
        return `${summary ? 7 : 8},X,${o.side},${PRICES[o.p]},${o.size},1,4,${D}`;
      case 'unlevel':
        return `9,X,${o.side},${PRICES[o.p]},${D}`;
      case 'order': {
        const type = summary ? 6 : live.has(o.o) ? 4 : 3;
        live.add(o.o);
        return `${type},X,${IDS[o.o]},,${o.side},${PRICES[o.p]},${o.size},${1244021820 + o.prio},2,${D}`;
      }
      case 'unorder':
        live.delete(o.o);
        return `5,X,${IDS[o.o]},,B,${D}`;
      case 'mm':
        return `${summary ? 6 : 4},X,,${MMIDS[o.m]},${o.side},${PRICES[o.p]},${o.size},,2,${D}`;
      case 'unmm':
        return `5,X,,${MMIDS[o.m]},${o.side},,2022-04-01,`;
      case 'clear':
        return `S,CLEAR DEPTH,X,${o.side},`;
    }
  };
  const summaryOps = initial.filter((o) => o.k === 'level' || o.k === 'order' || o.k === 'mm');
  return [...summaryOps.map((o) => line(o, true)), ...ops.map((o) => line(o, false))];
}

/** The reference book of this test: what a client knows after applying L2 lines in order. */
class TinyBook {
  private readonly levels = new Map<string, string>();
  private readonly orders = new Map<string, string>();

  apply(l: string): void {
    const f = l.split(',');
    switch (f[0]) {
      case '7':
      case '8':
        this.levels.set(`${f[2]}|${Number(f[3])}`, f[4]);
        return;
      case '9':
        this.levels.delete(`${f[2]}|${Number(f[3])}`);
        return;
      case '0':
      case '3':
      case '4':
      case '6':
        this.orders.set(f[2] !== '' ? f[2] : `${f[3]}|${f[4]}`, `${f[4]}|${Number(f[5])}|${f[6]}`);
        return;
      case '5':
        this.orders.delete(f[2] !== '' ? f[2] : `${f[3]}|${f[4]}`);
        return;
      case 'S':
        if (f[1] === 'CLEAR DEPTH') {
          for (const k of [...this.levels.keys()]) if (k.startsWith(`${f[3]}|`)) this.levels.delete(k);
          for (const [k, v] of [...this.orders]) if (v.startsWith(`${f[3]}|`)) this.orders.delete(k);
        }
        return;
      default:
        throw new Error(`unexpected line in the stream: ${l}`);
    }
  }

  snapshot(): string {
    const sorted = (m: Map<string, string>) => [...m.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1));
    return JSON.stringify({ levels: sorted(this.levels), orders: sorted(this.orders) });
  }
}

/** Summary rows are bids best first, then asks best first. */
function assertSummaryOrder(rows: readonly string[], priceField: number, sideField: number): void {
  const parsed = rows.map((r) => ({
    side: r.split(',')[sideField],
    price: Number(r.split(',')[priceField]),
  }));
  const bids = parsed.filter((r) => r.side === 'B');
  const firstAsk = parsed.findIndex((r) => r.side !== 'B');
  if (firstAsk >= 0) expect(parsed.slice(firstAsk).every((r) => r.side !== 'B')).toBe(true);
  for (let i = 1; i < bids.length; i++) expect(bids[i].price).toBeLessThanOrEqual(bids[i - 1].price);
  const asks = parsed.filter((r) => r.side !== 'B');
  for (let i = 1; i < asks.length; i++) expect(asks[i].price).toBeGreaterThanOrEqual(asks[i - 1].price);
}

afterAll(() => cleanupTempDirs());

describe('mid-replay summary', () => {
  it('leaves a late watcher with the book of a watcher from the start, after every line', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(op, { maxLength: 8 }),
        fc.array(op, { minLength: 1, maxLength: 40 }),
        fc.nat(),
        async (initial, ops, cut) => {
          const lines = toLines(initial, ops);
          const k = cut % (lines.length + 1); // B watches after k tape lines
          const body: TapeBody = [
            [0, 'ADMIN', 'S,STATS,'],
            ...lines.map((l, i) => [(i + 1) * 1000, 'L2', l] as const),
          ];
          const tape = writeTape({ symbols: 'X', l2: 'X=mbp' }, body);
          const clock = new ManualClock(1_000_000);
          const sim = await startSim({ tape, clock, start: 'first-watch' });
          const a = await TestClient.connect(sim.ports.L2, 'L2');
          const b = await TestClient.connect(sim.ports.L2, 'L2');
          try {
            b.send(['S,TIMESTAMPSOFF', 'S,REQUEST WATCHES']);
            await b.waitForLine((l) => l === 'S,WATCHES', 'B connected, timestamps off');
            a.send(['S,TIMESTAMPSOFF', 'WPL,X', 'WOR,X', 'S,REQUEST WATCHES']);
            await a.waitForLine((l) => l === 'S,WATCHES,X', 'A ready');
            // The origin line goes at once; then the replay waits on the clock for line 1.
            await waitFor(() => sim.stats().replay.linesReplayed === 1, 'the replay started');
            clock.advanceUs(k * 1000);
            expect(sim.stats().replay.linesReplayed).toBe(k + 1);
            b.send(['WPL,X', 'WOR,X', 'S,REQUEST WATCHES']);
            await b.waitForLine((l) => l === 'S,WATCHES,X', 'B ready');
            clock.advanceUs((lines.length + 1) * 1000);
            await sim.tapeEnd;
            const [na, nb] = sim.stats().connections.map((c) => c.lines);
            await waitFor(() => a.lines().length === na && b.lines().length === nb, 'every line delivered');

            const aLines = a.lines();
            const aUpdates = aLines.slice(aLines.indexOf('S,WATCHES,X') + 1);
            expect(aUpdates).toEqual(lines); // a watcher from the start gets the tape as recorded
            const bLines = b.lines();
            const marker = bLines.indexOf('S,WATCHES,X');
            // WOR on a tape without order rows is answered q (no depth of that family).
            const hasOrders = lines.some((l) => /^[03456],/.test(l));
            expect(bLines.includes('q,X')).toBe(!hasOrders);
            const summary = bLines.slice(bLines.indexOf('S,WATCHES') + 1, marker).filter((l) => l !== 'q,X');
            const bUpdates = bLines.slice(marker + 1);
            expect(bUpdates).toEqual(lines.slice(k));

            const rows7 = summary.filter((l) => l.startsWith('7,'));
            const rows6 = summary.filter((l) => l.startsWith('6,'));
            expect(rows7.length + rows6.length).toBe(summary.length);
            assertSummaryOrder(rows7, 3, 2);
            assertSummaryOrder(rows6, 5, 4);

            const bookA = new TinyBook();
            const bookB = new TinyBook();
            for (const l of lines.slice(0, k)) bookA.apply(l);
            for (const l of summary) bookB.apply(l);
            expect(bookB.snapshot()).toBe(bookA.snapshot());
            for (const l of bUpdates) {
              bookA.apply(l);
              bookB.apply(l);
              expect(bookB.snapshot()).toBe(bookA.snapshot());
            }
          } finally {
            a.close();
            b.close();
            await sim.stop();
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});
