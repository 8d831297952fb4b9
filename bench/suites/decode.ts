import { formatDecimal } from '../../collector/protocol/decimal.js';
import { type Decoder, isDecodeError, L1Decoder, L2Decoder } from '../../collector/protocol/index.js';
import { type BenchFigure, figure } from '../figure.js';
import { measureRate } from '../measure.js';
import type { BenchContext, BenchSuite } from '../suite.js';

/**
 * Decode throughput of the Level 1 and Level 2 decoders on synthetic but wire-shaped lines,
 * beside a baseline measured in the same run on the same lines: a bare `line.split(',')`, which
 * finds the fields and converts nothing. Target: at least 1.5M L2 lines/s.
 */

/** Deterministic PRNG (mulberry32) so every run decodes the same lines. */
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

const SYMBOLS = ['AAPL', 'MSFT', '@ESZ24', 'SPY', 'QQQ', 'TSLA', 'NVDA', 'AMZN'];

function time(r: () => number): string {
  const us = Math.floor(r() * 23_400_000_000) + 34_200_000_000; // 09:30 … 16:00
  const s = Math.floor(us / 1e6);
  const pad = (n: number, w: number) => String(n).padStart(w, '0');
  return `${pad(Math.floor(s / 3600), 2)}:${pad(Math.floor(s / 60) % 60, 2)}:${pad(s % 60, 2)}.${pad(us % 1e6, 6)}`;
}

/** A Level 2 mix like a market-by-price day with some order traffic: mostly 8, some 7/9/3/4/5. */
export function l2Lines(count: number, seed = 1): string[] {
  const r = prng(seed);
  const lines: string[] = [];
  for (let i = 0; i < count; i++) {
    const symbol = SYMBOLS[Math.floor(r() * SYMBOLS.length)];
    const side = r() < 0.5 ? 'B' : 'A';
    const price = formatDecimal(100 + Math.floor(r() * 50_000) / 100, 4);
    const size = 1 + Math.floor(r() * 5000);
    const t = time(r);
    const k = r();
    if (k < 0.6)
      lines.push(`8,${symbol},${side},${price},${size},${1 + Math.floor(r() * 20)},4,${t},2024-06-21,`);
    else if (k < 0.65)
      lines.push(`7,${symbol},${side},${price},${size},${1 + Math.floor(r() * 20)},4,${t},2024-06-21,`);
    else if (k < 0.75) lines.push(`9,${symbol},${side},${price},${t},2024-06-21,`);
    else if (k < 0.85) {
      const id = 600_000_000_000 + Math.floor(r() * 1e9);
      lines.push(`3,${symbol},${id},,${side},${price},${size},${12_440_218_202 + i},4,${t},2024-06-21,`);
    } else if (k < 0.95) {
      lines.push(`4,${symbol},,NSDQ,${side},${price},${size},,4,${t},2024-06-21,`);
    } else {
      lines.push(`5,${symbol},${600_000_000_000 + Math.floor(r() * 1e9)},,${side},${t},2024-06-21,`);
    }
  }
  return lines;
}

/** Level 1 Q updates over the default 16-field list, with the odd empty field. */
export function l1Lines(count: number, seed = 2): string[] {
  const r = prng(seed);
  const lines: string[] = [];
  for (let i = 0; i < count; i++) {
    const symbol = SYMBOLS[Math.floor(r() * SYMBOLS.length)];
    const bid = 100 + Math.floor(r() * 50_000) / 100;
    const ask = bid + 0.01 * (1 + Math.floor(r() * 5));
    const p = (n: number) => formatDecimal(n, 4);
    const contents = r() < 0.3 ? 'C' : 'ba';
    lines.push(
      `Q,${symbol},${p(bid)},${1 + Math.floor(r() * 500)},${time(r)},${Math.floor(r() * 30)},${Math.floor(r() * 5e7)},` +
        `${p(bid)},${100 * (1 + Math.floor(r() * 50))},${p(ask)},${100 * (1 + Math.floor(r() * 50))},` +
        `${p(bid - 1)},${p(ask + 2)},${r() < 0.1 ? '' : p(bid - 2)},${p(bid - 0.5)},${contents},${r() < 0.5 ? '01' : '8717'},`,
    );
  }
  return lines;
}

/**
 * Short rounds over a rotating window of the lines: on a shared two-core machine the best of
 * many 10k-line rounds (a few ms each) is a round that had the CPU to itself, which is the
 * figure to hold against the target; one long round would measure the neighbours' load.
 */
const WINDOW = 10_000;

function windows(lines: readonly string[]): () => readonly string[] {
  let k = 0;
  const count = Math.max(1, Math.floor(lines.length / WINDOW));
  return () => {
    const from = (k++ % count) * WINDOW;
    return lines.slice(from, from + WINDOW);
  };
}

function decodeBatch(decoder: Decoder, lines: readonly string[]): () => number {
  const next = windows(lines);
  return () => {
    const batch = next();
    let ok = 0;
    for (let i = 0; i < batch.length; i++) if (!isDecodeError(decoder.decode(batch[i]))) ok++;
    return ok;
  };
}

function splitBatch(lines: readonly string[]): () => number {
  const next = windows(lines);
  return () => {
    const batch = next();
    let fields = 0;
    for (let i = 0; i < batch.length; i++) fields += batch[i].split(',').length;
    return fields;
  };
}

function throughput(
  context: BenchContext,
  port: 'L1' | 'L2',
  decoder: Decoder,
  lines: readonly string[],
  target?: number,
): BenchFigure {
  const options = context.quick ? { rounds: 40, warmup: 10 } : { rounds: 300, warmup: 40 };
  const decoded = measureRate(decodeBatch(decoder, lines), WINDOW, options);
  const split = measureRate(splitBatch(lines), WINDOW, options);
  if (decoded.checksum === 0)
    throw new Error(`decode bench: no ${port} line decoded; the generator is broken`);
  context.log(
    `${port}: decode ${Math.round(decoded.perSecond)} lines/s, split ${Math.round(split.perSecond)} lines/s`,
  );
  return figure({
    name: `decode ${port} lines`,
    value: Math.round(decoded.perSecond),
    unit: 'lines/s',
    baseline: { name: `split(',') ${port} lines`, value: Math.round(split.perSecond) },
    ...(target === undefined ? {} : { target: { op: '>=' as const, value: target } }),
  });
}

export const decodeSuite: BenchSuite = {
  name: 'decode',
  description: "L1 and L2 decode throughput beside a bare split(',') of the same lines",
  async run(context) {
    const count = context.quick ? 50_000 : 200_000;
    const l2 = l2Lines(count);
    const l1 = l1Lines(count);
    return [
      throughput(context, 'L2', new L2Decoder(), l2, 1_500_000),
      throughput(context, 'L1', new L1Decoder(), l1),
    ];
  },
};
