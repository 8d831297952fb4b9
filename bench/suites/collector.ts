import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startCollector } from '../../collector/pipeline/collector.js';
import { Deriver } from '../../collector/records/deriver.js';
import type { RecordEnvelope } from '../../collector/records/types.js';
import { JsonlSink } from '../../collector/sinks/jsonl/jsonl-sink.js';
import { silentLogger } from '../../common/logger.js';
import { generateTape } from '../../fixtures/generate/generate.js';
import { type BenchFigure, figure } from '../figure.js';
import type { BenchContext, BenchSuite } from '../suite.js';

/**
 * The collector end to end: a simulator child process replays a generated day at `--speed max`
 * over real loopback sockets; the collector (this process) journals, derives and writes JSONL with
 * every fsync the durability rules ask for. Measured beside, in the same run:
 * - the loopback ceiling: a bare Node TCP pump (child process) and a reader that only splits the
 *   bytes into line strings — what any Node collector could at best receive;
 * - the deriver alone over the same lines (no I/O), to tell CPU cost from I/O cost;
 * - the JSONL sink with and without fdatasync, to put a number on what durability costs;
 * - RSS over the run, to show memory stays flat on a large tape.
 * Targets: ≥ 250k msg/s end to end and ≥ 30 % of the loopback ceiling.
 */

const repoRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../..');
const cli = join(repoRoot, 'dist/cli/main.js');
const SYMBOLS = 'AAPL,MSFT=mbo,IBM=mm,QQQ=mbo,SPY,NVDA';

interface TapeInfo {
  readonly path: string;
  readonly lines: string[]; // body lines as sent (no offset/channel)
  readonly channels: ('L1' | 'L2' | 'ADMIN')[];
  readonly symbols: string[];
  readonly families: Record<string, 'mbp' | 'mbo' | 'mm'>;
}

const FAMILIES: Record<string, 'mbp' | 'mbo' | 'mm'> = {
  AAPL: 'mbp',
  MSFT: 'mbo',
  IBM: 'mm',
  QQQ: 'mbo',
  SPY: 'mbp',
  NVDA: 'mbp',
};

async function writeDay(dir: string, lines: number): Promise<string> {
  const path = join(dir, 'day.tape');
  await generateTape({ seed: 'bench-collector', lines, symbols: SYMBOLS }, path);
  return path;
}

async function readTape(path: string): Promise<TapeInfo> {
  const body: string[] = [];
  const channels: ('L1' | 'L2' | 'ADMIN')[] = [];
  for (const l of (await readFile(path, 'latin1')).split('\n')) {
    if (l === '' || l.startsWith('#')) continue;
    const t1 = l.indexOf('\t');
    const t2 = l.indexOf('\t', t1 + 1);
    channels.push(l.slice(t1 + 1, t2) as 'L1' | 'L2');
    body.push(l.slice(t2 + 1));
  }
  return { path, lines: body, channels, symbols: Object.keys(FAMILIES), families: FAMILIES };
}

/** Lines per second a bare Node reader gets from a bare Node writer over loopback TCP. */
async function loopbackCeiling(tape: TapeInfo): Promise<number> {
  const pump = `
    const net = require('node:net');
    const fs = require('node:fs');
    const text = fs.readFileSync(process.argv[1], 'latin1').split('\\n')
      .filter((l) => l !== '' && l[0] !== '#')
      .map((l) => l.slice(l.indexOf('\\t', l.indexOf('\\t') + 1) + 1) + '\\r\\n').join('');
    const data = Buffer.from(text, 'latin1');
    const server = net.createServer((sock) => {
      let pos = 0;
      const step = 1 << 16;
      const more = () => {
        while (pos < data.length) {
          const end = Math.min(data.length, pos + step);
          const ok = sock.write(data.subarray(pos, end));
          pos = end;
          if (!ok) return sock.once('drain', more);
        }
        sock.end();
      };
      more();
    });
    server.listen(0, '127.0.0.1', () => process.stdout.write(String(server.address().port) + '\\n'));
  `;
  const child = spawn(process.execPath, ['-e', pump, tape.path], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const port = Number(await firstLine(child));
    const start = process.hrtime.bigint();
    let count = 0;
    await new Promise<void>((resolveDone, reject) => {
      const sock = connect(port, '127.0.0.1');
      let rest = '';
      sock.on('data', (buf: Buffer) => {
        // What every line reader must do at least: latin1 text, split into line strings.
        const parts = (rest + buf.toString('latin1')).split('\n');
        rest = parts.pop() ?? '';
        count += parts.length;
      });
      sock.on('end', () => resolveDone());
      sock.on('error', reject);
    });
    const s = Number(process.hrtime.bigint() - start) / 1e9;
    if (count !== tape.lines.length)
      throw new Error(`loopback reader got ${count} lines of ${tape.lines.length}`);
    return count / s;
  } finally {
    child.kill();
  }
}

function firstLine(child: ChildProcess): Promise<string> {
  return new Promise((resolveLine, reject) => {
    let buf = '';
    child.stdout!.setEncoding('utf8');
    const onData = (chunk: string) => {
      buf += chunk;
      const nl = buf.indexOf('\n');
      if (nl >= 0) {
        child.stdout!.off('data', onData);
        resolveLine(buf.slice(0, nl));
      }
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`child exited (${code}) before its first line`)));
  });
}

/** The deriver alone over the tape's lines: records per second of CPU, no I/O. */
function deriverRate(tape: TapeInfo): number {
  const run = () => {
    const d = new Deriver({ session: 'bench', symbols: tape.symbols, families: tape.families });
    const out: RecordEnvelope[] = [];
    let n = 0;
    for (let i = 0; i < tape.lines.length; i++) {
      d.line(tape.channels[i], tape.lines[i], i + 1, 1_753_450_000_000_000 + i, out);
      n += out.length;
      out.length = 0;
    }
    return n;
  };
  run(); // warm-up
  const start = process.hrtime.bigint();
  run();
  return tape.lines.length / (Number(process.hrtime.bigint() - start) / 1e9);
}

/** Records the JSONL sink writes per second in batches of `batch`, with or without fdatasync. */
async function jsonlRate(dir: string, tape: TapeInfo, sync: boolean, batch: number): Promise<number> {
  const d = new Deriver({ session: 'bench', symbols: tape.symbols, families: tape.families });
  const records: RecordEnvelope[] = [];
  for (let i = 0; i < tape.lines.length && records.length < 200_000; i++) {
    d.line(tape.channels[i], tape.lines[i], i + 1, 1_753_450_000_000_000 + i, records);
  }
  const dataDir = join(dir, sync ? 'jsonl-sync' : 'jsonl-nosync');
  const sink = new JsonlSink({ dataDir, session: 'bench', sync });
  await sink.open();
  const start = process.hrtime.bigint();
  for (let i = 0; i < records.length; i += batch) await sink.write(records.slice(i, i + batch));
  const s = Number(process.hrtime.bigint() - start) / 1e9;
  await sink.close();
  await rm(dataDir, { recursive: true, force: true });
  return records.length / s;
}

interface EndToEnd {
  readonly linesPerSecond: number;
  /** Lines per second of the collector process's own CPU time: less sensitive to other load on the machine. */
  readonly linesPerCpuSecond: number;
  readonly lines: number;
  readonly seconds: number;
  readonly rssMb: readonly number[];
  readonly records: number;
  readonly journalToSinkP99Us: number | null;
}

/** Simulator child at --speed max → collector in this process → JSONL. */
async function endToEnd(
  dir: string,
  tapePath: string,
  lines: number,
  log: (m: string) => void,
): Promise<EndToEnd> {
  const sim = spawn(
    process.execPath,
    [
      cli,
      'simulate',
      '--tape',
      tapePath,
      '--speed',
      'max',
      '--start',
      'all-watched',
      '--port-l1',
      '0',
      '--port-l2',
      '0',
      '--port-admin',
      '0',
      '--log-level',
      'warn',
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  try {
    const ready = JSON.parse(await firstLine(sim)) as { ports: { L1: number; L2: number; ADMIN: number } };
    const rss: number[] = [];
    const sampler = setInterval(() => rss.push(process.memoryUsage().rss / 2 ** 20), 250);
    const cpuBefore = process.cpuUsage();
    const collector = await startCollector({
      symbols: Object.keys(FAMILIES),
      family: FAMILIES,
      ports: ready.ports,
      dataDir: join(dir, 'data'),
      journalDir: join(dir, 'journal'),
      logger: silentLogger,
    });
    const wanted = lines;
    const counted = () => {
      const t = collector.status().totals.lines;
      return t.L1 + t.L2;
    };
    // The clock starts at the first data line and stops when the sink holds the last one's records.
    while (counted() < 50) await new Promise((r) => setTimeout(r, 1));
    const start = process.hrtime.bigint();
    let lastLog = Date.now();
    while (counted() < wanted) {
      await new Promise((r) => setTimeout(r, 2));
      if (Date.now() - lastLog > 2000) {
        lastLog = Date.now();
        log(`  … ${counted()} of ${wanted} lines, sink lag ${collector.status().sinks[0].lag}`);
      }
    }
    const head = collector.status().journal.headSeq;
    while (collector.runners[0].checkpoint < head) await new Promise((r) => setTimeout(r, 2));
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    const cpu = process.cpuUsage(cpuBefore);
    clearInterval(sampler);
    const status = collector.status();
    await collector.stop();
    const records = status.totals.records;
    return {
      linesPerSecond: wanted / seconds,
      linesPerCpuSecond: wanted / ((cpu.user + cpu.system) / 1e6),
      lines: wanted,
      seconds,
      rssMb: rss,
      records: records.l2 + records.l1 + records.ticks + records.gaps,
      journalToSinkP99Us: status.latency.journalToSink.jsonl?.p99Us ?? null,
    };
  } finally {
    sim.kill();
  }
}

export const collectorSuite: BenchSuite = {
  name: 'collector',
  description:
    'end-to-end collector throughput (simulator --speed max → journal → deriver → JSONL) vs the loopback ceiling',
  async run(context: BenchContext): Promise<readonly BenchFigure[]> {
    const dir = await mkdtemp(join(tmpdir(), 'l2h-bench-collector-'));
    try {
      const lines = context.quick ? 200_000 : 2_000_000;
      context.log(`generating a ${lines}-line tape`);
      const path = await writeDay(dir, lines);
      // End to end first, before this process holds the tape's lines: its RSS is the collector's.
      context.log('end to end');
      const e2e = await endToEnd(dir, path, lines, context.log);
      const tape = await readTape(path);
      context.log('loopback ceiling');
      const ceiling = await loopbackCeiling(tape);
      context.log('deriver alone');
      const derive = deriverRate(tape);
      context.log('JSONL sink with and without fdatasync');
      const synced = await jsonlRate(dir, tape, true, 20_000);
      const unsynced = await jsonlRate(dir, tape, false, 20_000);
      const half = Math.floor(e2e.rssMb.length / 2);
      const firstHalf = Math.max(...e2e.rssMb.slice(0, Math.max(1, half)));
      const secondHalf = Math.max(...e2e.rssMb.slice(half));
      context.log(
        `end to end: ${e2e.lines} lines in ${e2e.seconds.toFixed(2)} s, ${e2e.records} records, RSS ${e2e.rssMb
          .map((m) => Math.round(m))
          .join(' ')} MB`,
      );
      const ceilingFigure = { name: 'loopback line pump ceiling', value: ceiling };
      return [
        figure({
          name: 'collector end to end (sim --speed max → JSONL, fsynced)',
          value: e2e.linesPerSecond,
          unit: 'msg/s',
          baseline: ceilingFigure,
          target: { op: '>=', value: 250_000 },
        }),
        figure({
          name: 'collector end to end / loopback ceiling',
          value: e2e.linesPerSecond / ceiling,
          unit: 'ratio',
          target: { op: '>=', value: 0.3 },
        }),
        figure({ name: 'loopback line pump ceiling', value: ceiling, unit: 'lines/s' }),
        figure({
          name: 'collector lines per CPU-second of its own process',
          value: e2e.linesPerCpuSecond,
          unit: 'lines/cpu-s',
        }),
        figure({ name: 'deriver alone (no I/O)', value: derive, unit: 'lines/s' }),
        figure({
          name: 'JSONL sink, fdatasync per batch of 20,000',
          value: synced,
          unit: 'records/s',
          baseline: { name: 'JSONL sink without fdatasync', value: unsynced },
        }),
        figure({
          name: 'RSS growth, second half of the run over the first',
          value: secondHalf - firstHalf,
          unit: 'MB',
          target: { op: '<=', value: 64 },
        }),
        figure({ name: 'peak RSS end to end', value: Math.max(...e2e.rssMb), unit: 'MB' }),
        ...(e2e.journalToSinkP99Us === null
          ? []
          : [
              figure({
                name: 'journal → JSONL durable, p99',
                value: e2e.journalToSinkP99Us / 1000,
                unit: 'ms',
              }),
            ]),
      ];
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },
};
