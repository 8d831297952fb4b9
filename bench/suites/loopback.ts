import { createServer, type Socket } from 'node:net';
import { Worker } from 'node:worker_threads';
import { generateInMemory } from '../../fixtures/index.js';
import { type BenchFigure, figure } from '../figure.js';
import type { BenchSuite } from '../suite.js';

/**
 * The loopback ceiling: how many lines a bare Node TCP pump and reader move through 127.0.0.1
 * on this machine, with no protocol work. Every end-to-end figure is read as a fraction of it,
 * measured in the same run on the same line sizes, so the ratio holds on a busy machine.
 *
 * The pump runs on its own thread (as the simulator runs in its own process) and writes the
 * lines, prebuilt, in 256 KiB writes; the reader, on this thread, does what any line reader must
 * and no more: latin1-decode each chunk and cut it into line strings at `\n`.
 */

const PUMP = `
const { parentPort, workerData } = require('node:worker_threads');
const net = require('node:net');
const { wire, rounds, port } = workerData;
const socket = net.connect(port, '127.0.0.1', () => {
  let i = 0;
  const chunk = 256 * 1024;
  const total = wire.length * rounds;
  let sent = 0;
  const pump = () => {
    while (sent < total) {
      const at = sent % wire.length;
      const end = Math.min(wire.length, at + chunk);
      const ok = socket.write(wire.subarray(at, end));
      sent += end - at;
      if (!ok) return void socket.once('drain', pump);
    }
    socket.end();
  };
  pump();
});
socket.on('error', (e) => parentPort.postMessage({ error: String(e) }));
`;

export interface LoopbackRate {
  readonly linesPerSecond: number;
  readonly bytesPerSecond: number;
  readonly lines: number;
  readonly averageLineBytes: number;
}

/**
 * Lines/s of the bare pump and reader over `lines` (CRLF-terminated, as IQConnect sends),
 * repeated until at least `total` lines went through. Other suites call this for their baseline.
 */
export async function loopbackCeiling(lines: readonly string[], total: number): Promise<LoopbackRate> {
  if (lines.length === 0) throw new RangeError('loopbackCeiling needs at least one line');
  // The wire repeats the lines to at least 1 MiB, so every write is a full 256 KiB one.
  const one = `${lines.join('\r\n')}\r\n`;
  const copies = Math.max(1, Math.ceil((1 << 20) / one.length));
  const wire = Buffer.from(one.repeat(copies), 'latin1');
  const perWire = lines.length * copies;
  const rounds = Math.max(1, Math.ceil(total / perWire));
  const expectLines = rounds * perWire;
  let worker: Worker | null = null;
  const server = createServer();
  const port = await new Promise<number>((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const a = server.address();
      resolve(typeof a === 'object' && a !== null ? a.port : 0);
    }),
  );
  try {
    const ns = await new Promise<number>((resolve, reject) => {
      server.once('connection', (socket: Socket) => {
        const start = process.hrtime.bigint();
        let rest = '';
        let count = 0;
        let check = 0;
        socket.on('data', (chunk: Buffer) => {
          const text = rest + chunk.toString('latin1');
          let from = 0;
          for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', from)) {
            const line = text.slice(from, nl - 1);
            check += line.length;
            count++;
            from = nl + 1;
          }
          rest = text.slice(from);
        });
        socket.on('end', () => {
          const elapsed = Number(process.hrtime.bigint() - start);
          if (count !== expectLines) reject(new Error(`loopback: read ${count} lines of ${expectLines}`));
          else if (check <= 0) reject(new Error('loopback: empty lines'));
          else resolve(elapsed);
        });
        socket.on('error', reject);
      });
      worker = new Worker(PUMP, { eval: true, workerData: { wire, rounds, port } });
      worker.on(
        'message',
        (m: { error?: string }) => m.error && reject(new Error(`loopback pump: ${m.error}`)),
      );
      worker.on('error', reject);
    });
    return {
      linesPerSecond: (expectLines * 1e9) / ns,
      bytesPerSecond: (wire.length * rounds * 1e9) / ns,
      lines: expectLines,
      averageLineBytes: wire.length / perWire,
    };
  } finally {
    await (worker as Worker | null)?.terminate();
    await new Promise<void>((r) => server.close(() => r()));
  }
}

/** L1 and L2 lines of a generated market day, in tape order: the collector's real line mix. */
export function tapeLineMix(count: number, seed = 'bench-loopback'): string[] {
  const { lines } = generateInMemory({ seed, lines: Math.max(2000, count) });
  return lines.filter((l) => l.channel !== 'ADMIN').map((l) => l.line);
}

/** Best of `rounds` runs: background load only ever slows a run down. */
export async function bestLoopback(
  lines: readonly string[],
  total: number,
  rounds: number,
): Promise<LoopbackRate> {
  let best: LoopbackRate | null = null;
  for (let r = 0; r < rounds; r++) {
    const rate = await loopbackCeiling(lines, total);
    if (best === null || rate.linesPerSecond > best.linesPerSecond) best = rate;
  }
  return best!;
}

export const loopbackSuite: BenchSuite = {
  name: 'loopback',
  description:
    'the ceiling: a bare Node TCP line pump and reader over 127.0.0.1 (tape line mix, short lines)',
  async run(context): Promise<readonly BenchFigure[]> {
    const total = context.quick ? 1_000_000 : 5_000_000;
    const rounds = context.quick ? 1 : 3;
    const mix = tapeLineMix(20_000);
    const tape = await bestLoopback(mix, total, rounds);
    context.log(
      `tape line mix (${tape.averageLineBytes.toFixed(0)} B/line): ${Math.round(tape.linesPerSecond)} lines/s, ` +
        `${(tape.bytesPerSecond / 1e6).toFixed(0)} MB/s`,
    );
    const short = await bestLoopback(['9,AAPL,B,215.42,09:30:00.000001,2025-07-25,'], total, rounds);
    context.log(
      `short lines (${short.averageLineBytes.toFixed(0)} B): ${Math.round(short.linesPerSecond)} lines/s`,
    );
    return [
      figure({
        name: `loopback pump+reader, tape line mix (${tape.averageLineBytes.toFixed(0)} B/line)`,
        value: Math.round(tape.linesPerSecond),
        unit: 'lines/s',
        note: `${(tape.bytesPerSecond / 1e6).toFixed(0)} MB/s; best of ${rounds}, ${tape.lines} lines each`,
      }),
      figure({
        name: `loopback pump+reader, short lines (${short.averageLineBytes.toFixed(0)} B/line)`,
        value: Math.round(short.linesPerSecond),
        unit: 'lines/s',
        baseline: { name: 'tape line mix, same run', value: Math.round(tape.linesPerSecond) },
      }),
    ];
  },
};
