/**
 * The two tapes the monitor tests replay, built line by line from a seed so each test knows
 * exactly what the feed sends and when (offsets are simulated time; the tests replay at
 * `--speed 1`, so they are wall-clock time after the replay starts too).
 */
import {
  clockAt,
  FIELDNAMES_LINE,
  mbpDelete,
  mbpRow,
  quoteLine,
  type Side,
  type TapeHeader,
  type TapeLine,
  timestampLine,
} from './tape.js';

export interface Tape {
  readonly header: TapeHeader;
  readonly lines: readonly TapeLine[];
}

const DATE = '2025-07-25';
const TRADE_DATE = '07/25/2025';
const OPEN = '09:30:00';
/** 09:30:00 US Eastern (EDT, UTC−4) on the tape's date. */
const START_US = Date.UTC(2025, 6, 25, 13, 30, 0) * 1000;
const SECOND_US = 1_000_000;

/**
 * Nothing is forwarded before this offset (the first body line is the field list, which the
 * simulator consumes): the collector connects, handshakes and takes its first rate samples on
 * a quiet feed, so every tape line lands in a later sample of the rate chart.
 */
export const FIRST_DATA_US = 3_500_000;

/** Small deterministic PRNG (mulberry32), so a tape is a function of its seed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const price = (ticks: number): string => (ticks / 100).toFixed(4);

interface SymbolPlan {
  readonly symbol: string;
  /** Inclusive tick ranges per side; disjoint, so the book never crosses. */
  readonly bidTicks: readonly [number, number];
  readonly askTicks: readonly [number, number];
  readonly snapshot: Readonly<Record<Side, readonly [number, number][]>>; // [ticks, size]
  /** Updates per burst; `resizeOnly` keeps the level count (the ladder shows blank cells). */
  readonly updates: number;
  readonly resizeOnly: boolean;
}

const BOOK_PLANS: readonly SymbolPlan[] = [
  {
    symbol: 'AAPL',
    bidTicks: [9990, 10001],
    askTicks: [10002, 10013],
    snapshot: {
      B: [
        [10000, 300],
        [9999, 200],
        [9998, 500],
        [9997, 100],
        [9996, 400],
        [9995, 700],
        [9994, 250],
      ],
      A: [
        [10002, 500],
        [10003, 200],
        [10004, 600],
        [10005, 300],
        [10006, 800],
        [10007, 150],
      ],
    },
    updates: 24,
    resizeOnly: false,
  },
  {
    symbol: 'MSFT',
    bidTicks: [50000, 50010],
    askTicks: [50015, 50025],
    snapshot: {
      B: [
        [50010, 100],
        [50005, 200],
      ],
      A: [
        [50020, 300],
        [50025, 100],
        [50015, 50],
      ],
    },
    updates: 6,
    resizeOnly: true,
  },
];

/** Seconds of data bursts: the snapshot, then updates; the last L1 update is a quote only. */
const BURSTS = 4;
/** After the bursts, `T` stamps alone keep the feed alive (the collector's 5 s watchdog) until the test ends the replay. */
const TAIL_SECONDS = 60;

export interface BookTape extends Tape {
  readonly symbols: readonly string[];
  /** The one line the collector cannot parse (an L2 update whose price has a letter O in it). */
  readonly malformed: string;
  /** The last line that changes a book or a quote; after it only `T` stamps follow. */
  readonly lastDataLine: string;
}

/**
 * Two market-by-price symbols: AAPL with more levels than the ladder shows, MSFT with fewer;
 * four one-second bursts of rows and quotes, one malformed row, then a minute of `T` stamps.
 */
export function bookTape(seed: number): BookTape {
  const rand = prng(seed);
  const pick = (n: number): number => Math.floor(rand() * n);
  const lines: TapeLine[] = [{ offsetUs: 0, channel: 'L1', line: FIELDNAMES_LINE }];
  // The generator's own view of the books, only to choose plausible updates; the tests compute
  // what the page must show from the lines themselves (expected-book.ts).
  const books = new Map(
    BOOK_PLANS.map((p) => [p.symbol, { B: new Map(p.snapshot.B), A: new Map(p.snapshot.A) }]),
  );
  const malformed = `8,AAPL,B,100.0O00,900,1,4,${clockAt(OPEN, FIRST_DATA_US + 2 * SECOND_US + 500)},${DATE},`;
  let lastDataLine = '';
  let tickId = 1000;
  let volume = 10_000;

  for (let sec = 0; sec <= TAIL_SECONDS; sec++) {
    let at = FIRST_DATA_US + sec * SECOND_US;
    const hms = clockAt(OPEN, at).slice(0, 8);
    lines.push({ offsetUs: at, channel: 'L1', line: timestampLine(DATE, hms) });
    lines.push({ offsetUs: at, channel: 'L2', line: timestampLine(DATE, hms) });
    if (sec >= BURSTS) continue;
    const l2 = (line: string): void => {
      at += 7;
      lines.push({ offsetUs: at, channel: 'L2', line });
      lastDataLine = line;
    };
    const l1 = (line: string): void => {
      at += 7;
      lines.push({ offsetUs: at, channel: 'L1', line });
      lastDataLine = line;
    };
    for (const plan of BOOK_PLANS) {
      const book = books.get(plan.symbol)!;
      const time = (): string => clockAt(OPEN, at);
      if (sec === 0) {
        for (const side of ['B', 'A'] as const) {
          for (const [ticks, size] of plan.snapshot[side])
            l2(mbpRow('7', plan.symbol, side, price(ticks), size, time(), DATE));
        }
      } else {
        for (let u = 0; u < plan.updates; u++) {
          const side: Side = rand() < 0.5 ? 'B' : 'A';
          const levels = book[side];
          const existing = [...levels.keys()];
          const remove = !plan.resizeOnly && levels.size > 6 && rand() < 0.35;
          if (remove) {
            const ticks = existing[pick(existing.length)]!;
            levels.delete(ticks);
            l2(mbpDelete(plan.symbol, side, price(ticks), time(), DATE));
          } else {
            const [lo, hi] = side === 'B' ? plan.bidTicks : plan.askTicks;
            const ticks = plan.resizeOnly ? existing[pick(existing.length)]! : lo + pick(hi - lo + 1);
            const size = 100 * (1 + pick(9));
            levels.set(ticks, size);
            l2(mbpRow('8', plan.symbol, side, price(ticks), size, time(), DATE));
          }
          if (sec === 2 && plan.symbol === 'AAPL' && u === plan.updates / 2) {
            at += 7;
            lines.push({ offsetUs: at, channel: 'L2', line: malformed });
          }
        }
      }
      const bestBid = Math.max(...book.B.keys());
      const bestAsk = Math.min(...book.A.keys());
      const isTrade = sec < BURSTS - 1;
      volume += 100;
      l1(
        quoteLine({
          symbol: plan.symbol,
          trade: { price: price(isTrade ? bestAsk : bestBid), size: 100 + sec, time: clockAt(OPEN, at) },
          isTrade,
          volume,
          bid: price(bestBid),
          bidSize: book.B.get(bestBid)!,
          ask: price(bestAsk),
          askSize: book.A.get(bestAsk)!,
          time: clockAt(OPEN, at),
          tickId: tickId++,
          tradeDate: TRADE_DATE,
        }),
      );
    }
  }
  return {
    header: {
      date: DATE,
      symbols: BOOK_PLANS.map((p) => p.symbol),
      l2: 'AAPL=mbp,MSFT=mbp',
      startUs: START_US,
    },
    lines,
    symbols: BOOK_PLANS.map((p) => p.symbol),
    malformed,
    lastDataLine,
  };
}

/** One AAPL book, then a `T` stamp a second on both channels for two minutes: a live, quiet feed. */
export function heartbeatTape(): Tape {
  const lines: TapeLine[] = [{ offsetUs: 0, channel: 'L1', line: FIELDNAMES_LINE }];
  for (let sec = 0; sec <= 120; sec++) {
    const at = 500_000 + sec * SECOND_US;
    const hms = clockAt(OPEN, at).slice(0, 8);
    lines.push({ offsetUs: at, channel: 'L1', line: timestampLine(DATE, hms) });
    lines.push({ offsetUs: at, channel: 'L2', line: timestampLine(DATE, hms) });
    if (sec === 0) {
      const time = clockAt(OPEN, at + 1);
      lines.push({
        offsetUs: at + 1,
        channel: 'L2',
        line: mbpRow('7', 'AAPL', 'B', price(10000), 300, time, DATE),
      });
      lines.push({
        offsetUs: at + 1,
        channel: 'L2',
        line: mbpRow('7', 'AAPL', 'A', price(10002), 500, time, DATE),
      });
    }
  }
  return { header: { date: DATE, symbols: ['AAPL'], l2: 'AAPL=mbp', startUs: START_US }, lines };
}
