import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { JournalEntry } from '../../../collector/journal/events.js';
import { readJournal } from '../../../collector/journal/read.js';
import { startCollector } from '../../../collector/pipeline/collector.js';
import { JsonlSink } from '../../../collector/sinks/jsonl/jsonl-sink.js';
import { type Clock, systemClock } from '../../../common/clock.js';
import type { SimulatorHandle } from '../../../simulator/index.js';
import { derivedLines, GatedSink, jsonlLines } from '../sinks/helpers.js';
import { startSim, tempDir, until, untilCaughtUp, writeTape } from './helpers.js';

let dir = { path: '', cleanup: async () => {} };
const sims: SimulatorHandle[] = [];
beforeEach(async () => {
  dir = await tempDir('collector');
});
afterEach(async () => {
  for (const s of sims.splice(0)) await s.stop().catch(() => undefined);
  await dir.cleanup();
});

const HEADERS = { symbols: 'AAPL,MSFT,IBM', l2: 'AAPL=mbp,MSFT=mbo,IBM=mm' };
const FAMILIES = { AAPL: 'mbp', MSFT: 'mbo', IBM: 'mm' } as const;

function collectorOptions(sim: SimulatorHandle, extra: Partial<Parameters<typeof startCollector>[0]> = {}) {
  return {
    symbols: ['AAPL', 'MSFT', 'IBM'],
    family: FAMILIES,
    ports: sim.ports,
    dataDir: join(dir.path, 'data'),
    journalDir: join(dir.path, 'journal'),
    flushMs: 10,
    feed: { backoff: { initialMs: 20, maxMs: 200 } },
    ...extra,
  };
}

async function entries(sessionDir: string): Promise<JournalEntry[]> {
  const out: JournalEntry[] = [];
  for await (const b of readJournal(sessionDir)) out.push(...b);
  return out;
}

async function jsonl(name: string): Promise<Record<string, unknown>[]> {
  const text = await readFile(join(dir.path, 'data', name), 'utf8');
  return text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

const pairs = (levels: unknown) =>
  (levels as { price: number; size: number }[]).map((l) => [l.price, l.size]);

describe('collector over real sockets', () => {
  it("rebuilds each family's book as hand-checked, journals a malformed line as received and counts it", async () => {
    const bad = '8,AAPL,B,abc,1,1,4,09:30:00.008000,2025-07-25,';
    const tape = await writeTape(dir.path, HEADERS, [
      [0, 'L2', 'T,20250725 09:30:00'],
      [0, 'L1', 'T,20250725 09:30:00'],
      [1000, 'L2', '7,AAPL,B,213.88,300,1,4,09:30:00.001000,2025-07-25,'],
      [1000, 'L2', '7,AAPL,A,213.91,700,2,4,09:30:00.001000,2025-07-25,'],
      [2000, 'L2', '6,MSFT,,AMEX,B,513.28,100,,4,09:30:00.002000,2025-07-25,'],
      [2000, 'L2', '6,MSFT,,NSDQ,B,513.28,200,,4,09:30:00.002000,2025-07-25,'],
      [2000, 'L2', '6,MSFT,,ARCX,A,513.31,100,,4,09:30:00.002000,2025-07-25,'],
      [3000, 'L2', 'Z,IBM,CDRG,259.47,259.48,100,100,09:30:00.003000,2025-07-25,52,09:30:00.003000,T,T,F,'],
      [3000, 'L2', 'Z,IBM,GSCO,259.46,259.49,200,300,09:30:00.003000,2025-07-25,52,09:30:00.003001,T,T,T,'],
      [4000, 'L2', '8,AAPL,B,213.89,100,1,4,09:30:00.004000,2025-07-25,'],
      [5000, 'L2', '4,MSFT,,AMEX,B,513.29,100,,4,09:30:00.005000,2025-07-25,'],
      [6000, 'L2', '2,IBM,CDRG,259.48,259.50,100,100,09:30:00.006000,2025-07-25,52,09:30:00.006000,T,T,T,'],
      [
        7000,
        'L1',
        'Q,AAPL,213.90,100,09:30:00.007000,11,1000,213.89,100,213.91,700,213.5,214,213,213.8,C,01,',
      ],
      [8000, 'L2', bad],
      [9000, 'L2', '9,AAPL,A,213.91,09:30:00.009000,2025-07-25,'],
    ]);
    const sim = await startSim(tape);
    sims.push(sim);
    const c = await startCollector(collectorOptions(sim));
    await untilCaughtUp(sim, c);
    const result = await c.stop();
    expect(result.error).toBeNull();
    expect(result.sinksDrained).toBe(true);

    const last = async (name: string) => (await jsonl(name)).at(-1)!;
    const aapl = await last('AAPL_l2_20250725.jsonl');
    expect([pairs(aapl.bids), pairs(aapl.asks)]).toEqual([
      [
        [213.89, 100],
        [213.88, 300],
      ],
      [],
    ]);
    const msft = await last('MSFT_l2_20250725.jsonl');
    expect([pairs(msft.bids), pairs(msft.asks)]).toEqual([
      [
        [513.29, 100],
        [513.28, 200],
      ],
      [[513.31, 100]],
    ]);
    const ibm = await last('IBM_l2_20250725.jsonl');
    expect([pairs(ibm.bids), pairs(ibm.asks)]).toEqual([
      [
        [259.48, 100],
        [259.46, 200],
      ],
      [
        [259.49, 300],
        [259.5, 100],
      ],
    ]);
    // The bursts became one record each.
    expect((await jsonl('MSFT_l2_20250725.jsonl')).length).toBe(2);
    expect((await jsonl('IBM_l2_20250725.jsonl')).length).toBe(2);
    expect(await jsonl('AAPL_ticks_20250725.jsonl')).toMatchObject([
      { price: 213.9, size: 100, conditions: '01' },
    ]);

    // The malformed line is in the journal byte for byte, counted, and shown with its seq.
    const journal = await entries(join(dir.path, 'journal', c.session));
    const line = journal.find((e) => e.type === 'line' && e.line === bad);
    expect(line).toBeDefined();
    expect(result.status.totals.malformed).toBe(1);
    expect(result.status.problems.malformed).toMatchObject([{ seq: line!.seq, channel: 'L2', line: bad }]);
    // Every record the journal implies is in the JSONL files, once.
    expect(await jsonlLines(join(dir.path, 'data'))).toEqual(await derivedLines(c.sessionDir));
    expect(result.status.sinks[0]).toMatchObject({ name: 'jsonl', lag: 0, queueDepth: 0 });
  });

  it('writes gap records at the resync seq after a reconnect and after S,SERVER DISCONNECTED', async () => {
    const body: [number, 'L1' | 'L2', string][] = [
      [0, 'L2', 'T,20250725 09:30:00'],
      [0, 'L1', 'T,20250725 09:30:00'],
    ];
    for (let i = 1; i <= 40; i++) {
      const t = `09:30:${String(i).padStart(2, '0')}.000000`;
      body.push([i * 1000, 'L2', `8,AAPL,B,${(200 + i / 100).toFixed(2)},100,1,2,${t},2025-07-25,`]);
      body.push([i * 1000, 'L2', `4,MSFT,,AMEX,A,${(500 + i / 100).toFixed(2)},100,,2,${t},2025-07-25,`]);
      body.push([i * 1000, 'L1', `Q,AAPL,200,1,${t},11,${i},${200 + i},100,${201 + i},100,,,,,b,01,`]);
      if (i === 20) body.push([i * 1000, 'L2', 'S,SERVER DISCONNECTED']);
      if (i === 22) body.push([i * 1000, 'L2', 'S,SERVER CONNECTED']);
    }
    const tape = await writeTape(
      dir.path,
      { ...HEADERS, symbols: 'AAPL,MSFT', l2: 'AAPL=mbp,MSFT=mbo' },
      body,
    );
    const first = await startSim(tape);
    sims.push(first);
    const c = await startCollector({
      ...collectorOptions(first),
      symbols: ['AAPL', 'MSFT'],
      family: { AAPL: 'mbp', MSFT: 'mbo' },
    });
    await untilCaughtUp(first, c);
    // The simulator goes away and comes back on the same ports: the collector reconnects.
    const ports = first.ports;
    await first.stop();
    await until(() => c.status().ports.every((p) => !p.connected), 'the collector to see the simulator gone');
    const before = c.status().totals.lines;
    const second = await startSim(tape, { ports });
    sims.push(second);
    await untilCaughtUp(second, c, before);
    const result = await c.stop();
    expect(result.error).toBeNull();

    const journal = await entries(c.sessionDir);
    // Gap records are dated by receive time (today), not by the tape's market day.
    const gaps: Record<string, unknown>[] = [];
    for (const name of await readdir(join(dir.path, 'data')))
      if (name.includes('_gaps_')) gaps.push(...(await jsonl(name)));
    // S,SERVER DISCONNECTED: an L2 gap per symbol, closed by its next L2 data line.
    const down = journal.find((e) => e.type === 'line' && e.line === 'S,SERVER DISCONNECTED')!;
    for (const symbol of ['AAPL', 'MSFT']) {
      const closer = journal.find(
        (e) => e.type === 'line' && e.seq > down.seq && e.channel === 'L2' && e.line.split(',')[1] === symbol,
      )!;
      expect(gaps).toContainEqual(
        expect.objectContaining({ symbol, seq: closer.seq, reason: 'server-disconnected', channel: 'L2' }),
      );
    }
    // The reconnect: after each channel's second connect event, each symbol's first line on it.
    for (const channel of ['L1', 'L2'] as const) {
      const connect = journal.filter(
        (e) => e.type === 'event' && e.event === 'connect' && e.channel === channel,
      )[1];
      expect(connect).toBeDefined();
      const symbols = channel === 'L1' ? ['AAPL'] : ['AAPL', 'MSFT'];
      for (const symbol of symbols) {
        const closer = journal.find(
          (e) =>
            e.type === 'line' &&
            e.seq >= connect.seq &&
            e.channel === channel &&
            /^[QP2-9Z0UFRC],/.test(e.line) &&
            e.line.split(',')[1] === symbol,
        )!;
        expect(gaps).toContainEqual(
          expect.objectContaining({ symbol, seq: closer.seq, reason: 'disconnect', channel }),
        );
      }
    }
    expect(await jsonlLines(join(dir.path, 'data'))).toEqual(await derivedLines(c.sessionDir));
  });

  it('serves its status, /metrics and /health on the monitor, and refuses to resume a session with other symbols', async () => {
    // IBM has no depth on this tape: the simulator answers its watch with `q,IBM`, as IQConnect does.
    const tape = await writeTape(dir.path, { ...HEADERS, l2: 'AAPL=mbp,MSFT=mbo' }, [
      [0, 'L2', 'T,20250725 09:30:00'],
      [1000, 'L2', '8,AAPL,B,213.88,300,1,4,09:30:00.001000,2025-07-25,'],
      [
        2000,
        'L1',
        'Q,AAPL,213.90,100,09:30:00.007000,11,1000,213.89,100,213.91,700,213.5,214,213,213.8,C,01,',
      ],
    ]);
    const sim = await startSim(tape);
    sims.push(sim);
    const c = await startCollector({
      ...collectorOptions(sim),
      session: 'mon-1',
      monitor: { host: '127.0.0.1', port: 0 },
    });
    await untilCaughtUp(sim, c);
    await until(() => c.status().sinks[0].written === 3, 'the sink to hold the three records');
    expect(c.monitorUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const status = (await (await fetch(`${c.monitorUrl}api/status`)).json()) as Record<string, unknown>;
    expect(status).toMatchObject({
      schema: 'l2h.status/1',
      session: 'mon-1',
      totals: { noDepth: 1 },
      problems: { noDepth: ['IBM'] },
    });
    const metrics = await (await fetch(`${c.monitorUrl}metrics`)).text();
    expect(metrics).toMatch(/l2h_collector_no_depth_total 1/);
    expect(metrics).toMatch(/l2h_collector_lines_total\{channel="L2"\} \d+/);
    expect(metrics).toMatch(/l2h_collector_records_total\{kind="ticks"\} 1/);
    expect(metrics).toMatch(/l2h_collector_sink_lag\{sink="jsonl"\} \d+/);
    expect(metrics).toMatch(/l2h_collector_journal_to_sink_seconds_bucket/);
    expect((await fetch(`${c.monitorUrl}health`)).status).toBe(200);
    await c.stop();
    await expect(
      startCollector({
        ...collectorOptions(sim),
        session: 'mon-1',
        symbols: ['AAPL', 'MSFT'],
        family: 'mbp',
      }),
    ).rejects.toThrow(/session mon-1 was recorded with --symbols AAPL=mbp,MSFT=mbo,IBM=mm --depth 10/);
  });

  it('writes the records a re-derive of the journal gives when the clock after a restart is behind the journal', async () => {
    // An NTP step back between two runs: the journal clamps the new lines' times to its last
    // one, and a deriver fed the unclamped times wrote the restart's gap ending an hour before it
    // began (duration -3.6e9 µs), where a re-derive of the journal gives 0.
    const ahead: Clock = { ...systemClock, wallUs: () => systemClock.wallUs() + 3_600_000_000 };
    const tape = await writeTape(dir.path, HEADERS, [
      [0, 'L2', '8,AAPL,B,213.88,300,1,4,09:30:00.001000,2025-07-25,'],
      [1000, 'L2', '8,AAPL,A,213.90,200,1,4,09:30:00.002000,2025-07-25,'],
    ]);
    const first = await startSim(tape);
    sims.push(first);
    const a = await startCollector({ ...collectorOptions(first), clock: ahead });
    await untilCaughtUp(first, a);
    expect((await a.stop()).error).toBeNull();
    const second = await startSim(tape);
    sims.push(second);
    const b = await startCollector({ ...collectorOptions(second), session: a.session });
    expect(b.resumed).toBe(true);
    await untilCaughtUp(second, b);
    expect((await b.stop()).error).toBeNull();
    const live = await jsonlLines(join(dir.path, 'data'));
    expect(live.some((l) => l.includes('"gap_end"'))).toBe(true);
    expect(live).toEqual(await derivedLines(b.sessionDir));
  });

  it('restarts a session whose first segment a crash tore inside its header', async () => {
    // A kill -9 right after the segment was created: session.json exists, the header is half written.
    const sessionDir = join(dir.path, 'journal', 'torn-1');
    await mkdir(sessionDir, { recursive: true });
    await writeFile(join(sessionDir, 'session.json'), '{"session":"torn-1","startUs":1}\n');
    await writeFile(join(sessionDir, 'journal-000001.tape'), '#l2tape 1\n#session torn-1\n#seq-ba');
    const tape = await writeTape(dir.path, HEADERS, [
      [0, 'L2', '8,AAPL,B,213.88,300,1,4,09:30:00.001000,2025-07-25,'],
    ]);
    const sim = await startSim(tape);
    sims.push(sim);
    const c = await startCollector({ ...collectorOptions(sim), session: 'torn-1' });
    expect(c.resumed).toBe(true);
    await untilCaughtUp(sim, c);
    const result = await c.stop();
    expect(result.error).toBeNull();
    expect(await jsonlLines(join(dir.path, 'data'))).toEqual(await derivedLines(c.sessionDir));
  });

  it('pauses the sockets while the journal cannot write, with its buffer bounded, and loses nothing', async () => {
    const { generateTape } = await import('../../../fixtures/generate/generate.js');
    const { GatedFs } = await import('../journal/helpers.js');
    const tape = join(dir.path, 'day.tape');
    await generateTape({ seed: 22, lines: 20_000, symbols: 'AAPL,MSFT=mbo,IBM=mm' }, tape);
    const sim = await startSim(tape);
    sims.push(sim);
    const fs = new GatedFs();
    const highWater = 64 * 1024;
    const c = await startCollector({ ...collectorOptions(sim), journal: { highWaterBytes: highWater, fs } });
    await until(() => c.status().totals.lines.L2 > 100, 'data to flow');
    fs.hold('write');
    await until(() => c.status().feedPaused, 'the feed to pause');
    // Paused: nothing more is read, so the journal's buffer stops growing (a read already under way
    // may still land); what the simulator sends meanwhile waits in socket buffers.
    const headAtPause = c.status().journal.headSeq;
    await new Promise((r) => setTimeout(r, 300));
    expect(c.status().feedPaused).toBe(true);
    expect(c.status().journal.headSeq - headAtPause).toBeLessThan(1000);
    expect(c.status().journal.durableSeq).toBeLessThan(headAtPause);
    fs.release('write');
    await untilCaughtUp(sim, c);
    await until(() => !c.status().feedPaused, 'the feed to run again');
    const result = await c.stop();
    expect(result.sinksDrained).toBe(true);
    expect(await jsonlLines(join(dir.path, 'data'))).toEqual(await derivedLines(c.sessionDir));
  });

  it("keeps a stalled sink's queue bounded, catches it up from the journal and loses nothing", async () => {
    const { generateTape } = await import('../../../fixtures/generate/generate.js');
    const tape = join(dir.path, 'day.tape');
    await generateTape({ seed: 21, lines: 30_000, symbols: 'AAPL,MSFT=mbo,IBM=mm' }, tape);
    const sim = await startSim(tape, { rate: 20_000 });
    sims.push(sim);
    let gated: GatedSink | null = null;
    const capacity = 500;
    const c = await startCollector({
      ...collectorOptions(sim),
      runner: { queueCapacity: capacity, batchSize: 200 },
      createSink: (_name, ctx) => {
        gated = new GatedSink(new JsonlSink({ dataDir: ctx.dataDir, session: ctx.session }));
        return gated;
      },
    });
    const sink = gated!;
    sink.hold();
    let maxDepth = 0;
    const watch = setInterval(() => {
      maxDepth = Math.max(maxDepth, c.status().sinks[0].queueDepth);
    }, 1);
    await until(() => c.runners[0].counters.overflows > 0, 'the stalled sink to overflow its queue');
    const linesWhileStalled = c.status().totals.lines.L2;
    // The feed went on while the sink was stuck.
    await until(() => c.status().totals.lines.L2 > linesWhileStalled + 1000, 'the feed to keep going');
    expect(c.status().sinks[0].mode).toBe('catch-up');
    sink.release();
    await untilCaughtUp(sim, c);
    await until(() => c.status().sinks[0].mode === 'live', 'the sink to rejoin live mode');
    clearInterval(watch);
    const result = await c.stop();
    expect(result.sinksDrained).toBe(true);
    expect(maxDepth).toBeLessThanOrEqual(capacity);
    expect(await jsonlLines(join(dir.path, 'data'))).toEqual(await derivedLines(c.sessionDir));
  });
});
