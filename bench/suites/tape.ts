import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Journal } from '../../collector/journal/journal.js';
import { readJournal } from '../../collector/journal/read.js';
import { openTape } from '../../collector/tape/reader.js';
import { TapeWriter } from '../../collector/tape/writer.js';
import { systemClock } from '../../common/clock.js';
import { type BenchFigure, figure } from '../figure.js';
import type { BenchContext, BenchSuite } from '../suite.js';
import { l2Lines } from './decode.js';

/**
 * Tape and journal throughput on wire-shaped L2 lines, in a private temporary directory:
 * TapeWriter and openTape (plain and gzip) beside the floor of the same work done in one go
 * (one `writeFile` of the joined text, one `readFile` + `split`), and the journal's hot path
 * (`append` alone, no I/O awaited) and its end-to-end rate (append with backpressure, then
 * written and fdatasynced by close). Targets: TapeWriter ≥ 1M lines/s, Journal.append ≥ 2M/s.
 * Rates are the best of several rounds: background load only ever slows a round down.
 */

/** Best rate over `rounds`, where each round does `units` of work and returns the ns it took. */
async function bestOf(rounds: number, units: number, round: () => Promise<number>): Promise<number> {
  let best = 0;
  for (let i = 0; i < rounds; i++) best = Math.max(best, (units * 1e9) / (await round()));
  return Math.round(best);
}

/** Best rate over `rounds`, timing each round whole. */
function bestRate(rounds: number, units: number, round: () => Promise<void>): Promise<number> {
  return bestOf(rounds, units, async () => {
    const start = process.hrtime.bigint();
    await round();
    return Number(process.hrtime.bigint() - start);
  });
}

async function writeTape(path: string, lines: readonly string[]): Promise<void> {
  const writer = await TapeWriter.open(path, { headers: [['symbols', 'BENCH']], fsync: false });
  for (let i = 0; i < lines.length; i++) if (!writer.write(i * 3, 'L2', lines[i])) await writer.drain();
  await writer.close();
}

async function readTape(path: string): Promise<number> {
  const reader = await openTape(path);
  let n = 0;
  for await (const batch of reader.batches()) n += batch.length;
  return n;
}

async function tapeFigures(
  context: BenchContext,
  dir: string,
  lines: readonly string[],
  gzip: boolean,
): Promise<BenchFigure[]> {
  const rounds = context.quick ? 2 : 5;
  const kind = gzip ? 'gzip' : 'plain';
  const path = join(dir, gzip ? 'bench.tape.gz' : 'bench.tape');
  const floorPath = join(dir, 'floor.tape');
  const write = await bestRate(rounds, lines.length, () => writeTape(path, lines));
  const read = await bestRate(rounds, lines.length, async () => {
    if ((await readTape(path)) !== lines.length) throw new Error('tape bench: line count mismatch');
  });
  const figures: BenchFigure[] = [];
  if (gzip) {
    figures.push(figure({ name: `TapeWriter ${kind}`, value: write, unit: 'lines/s' }));
    figures.push(figure({ name: `openTape ${kind}`, value: read, unit: 'lines/s' }));
  } else {
    const text = `#l2tape 1\n${lines.map((l, i) => `${i * 3}\tL2\t${l}`).join('\n')}\n`;
    const writeFloor = await bestRate(rounds, lines.length, () => writeFile(floorPath, text, 'latin1'));
    const readFloor = await bestRate(rounds, lines.length, async () => {
      (await readFile(floorPath, 'latin1')).split('\n');
    });
    figures.push(
      figure({
        name: `TapeWriter ${kind}`,
        value: write,
        unit: 'lines/s',
        baseline: { name: 'one writeFile of the joined text', value: writeFloor },
        target: { op: '>=', value: 1_000_000 },
      }),
      figure({
        name: `openTape ${kind}`,
        value: read,
        unit: 'lines/s',
        baseline: { name: 'readFile + split', value: readFloor },
      }),
    );
  }
  context.log(`tape ${kind}: write ${write} lines/s, read ${read} lines/s`);
  return figures;
}

async function journalFigures(
  context: BenchContext,
  dir: string,
  lines: readonly string[],
): Promise<BenchFigure[]> {
  const rounds = context.quick ? 2 : 5;
  let session = 0;
  const hot = await bestOf(rounds, lines.length, async () => {
    // No backpressure awaits, and only the append loop timed: the cost of the call itself.
    const j = await Journal.open({
      dir,
      clock: systemClock,
      session: `hot-${++session}`,
      highWaterBytes: 1 << 30,
    });
    const base = systemClock.wallUs();
    const start = process.hrtime.bigint();
    for (let i = 0; i < lines.length; i++) j.append('L2', lines[i], base + i);
    const ns = Number(process.hrtime.bigint() - start);
    await j.close();
    return ns;
  });
  let last: Journal | null = null;
  const durable = await bestRate(rounds, lines.length, async () => {
    const j = await Journal.open({ dir, clock: systemClock, session: `durable-${++session}` });
    const base = systemClock.wallUs();
    for (let i = 0; i < lines.length; i++) {
      j.append('L2', lines[i], base + i);
      if ((i & 1023) === 0 && j.congested) await j.whenUncongested();
    }
    await j.close();
    last = j;
  });
  const sessionDir = (last as Journal | null)?.sessionDir;
  if (!sessionDir) throw new Error('journal bench: no session written');
  const read = await bestRate(rounds, lines.length, async () => {
    let n = 0;
    for await (const batch of readJournal(sessionDir)) n += batch.length;
    if (n !== lines.length) throw new Error('journal bench: line count mismatch');
  });
  context.log(`journal: append ${hot}/s (hot path), ${durable}/s to fdatasync, read ${read}/s`);
  return [
    figure({
      name: 'Journal.append (hot path)',
      value: hot,
      unit: 'lines/s',
      target: { op: '>=', value: 2_000_000 },
    }),
    figure({ name: 'Journal append → durable at close', value: durable, unit: 'lines/s' }),
    figure({ name: 'readJournal', value: read, unit: 'lines/s' }),
  ];
}

export const tapeSuite: BenchSuite = {
  name: 'tape',
  description:
    'TapeWriter / openTape (plain, gzip) and the journal: append hot path, durable rate, read back',
  async run(context) {
    const count = context.quick ? 200_000 : 1_000_000;
    const lines = l2Lines(count);
    const dir = await mkdtemp(join(tmpdir(), 'l2h-bench-tape-'));
    try {
      return [
        ...(await tapeFigures(context, dir, lines, false)),
        ...(await tapeFigures(
          context,
          dir,
          context.quick ? lines.slice(0, 50_000) : lines.slice(0, 250_000),
          true,
        )),
        ...(await journalFigures(context, dir, lines)),
      ];
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },
};
