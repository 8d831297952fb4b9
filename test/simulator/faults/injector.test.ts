/**
 * Faults through a real simulator and a plain TCP client: each fault does what it says, at the
 * point it was asked for, the stats count exactly what a correct framer gets from the bytes, and
 * the report names every fault with its connection, line index and detail.
 */
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Channel } from '../../../collector/protocol/channel.js';
import { LineFramer } from '../../../collector/protocol/framing.js';
import type { FaultReport } from '../../../simulator/faults/injector.js';
import type { FaultDef, FaultSpec } from '../../../simulator/faults/spec.js';
import type { SimulatorHandle } from '../../../simulator/index.js';
import { startSim, stopAfterEach, TestClient, waitFor, writeTape } from '../helpers.js';

const D = '09:30:00.000000,2024-06-21,';
const ROWS = Array.from(
  { length: 40 },
  (_, i) => `8,AAPL,${i % 2 ? 'A' : 'B'},100.${String(i).padStart(2, '0')},${i + 1},1,2,${D}`,
);

const { sims, clients } = stopAfterEach();

function tape(channel: Channel = 'L2'): string {
  return writeTape(
    { symbols: 'AAPL', l2: 'mbp', date: '2024-06-21' },
    ROWS.map((r, i) => [i * 10_000, channel, r] as const),
  );
}

/** What a correct client frames out of the bytes (the collector's own framer). */
function framed(bytes: Buffer): string[] {
  const f = new LineFramer();
  const lines = f.push(bytes);
  const rest = f.end();
  if (rest !== null) lines.push(rest);
  return lines;
}

function linesDigest(lines: readonly string[]): string {
  const h = createHash('sha256');
  for (const l of lines) h.update(`${l}\n`, 'latin1');
  return h.digest('hex');
}

async function runL2(
  faults: readonly FaultDef[],
  seed = 1,
): Promise<{ client: TestClient; sim: SimulatorHandle }> {
  const sim = await startSim({ tape: tape(), speed: 'max', seed, faults: { faults } });
  sims.push(sim);
  const client = await TestClient.connect(sim.ports.L2, 'L2');
  clients.push(client);
  client.send(['S,TIMESTAMPSOFF', 'WPL,AAPL']);
  await sim.tapeEnd;
  const want = sim.stats().connections[0]!.bytes;
  await waitFor(() => client.byteCount >= want || client.closed, 'every byte sent');
  return { client, sim };
}

function report(sim: SimulatorHandle): FaultReport {
  const r = sim.stats().faults;
  if (!r) throw new Error('no fault report in the stats');
  return r;
}

/** The stats count what the client frames: same number of lines, same digest. */
function expectStatsMatchClient(sim: SimulatorHandle, client: TestClient): string[] {
  const lines = framed(client.bytes);
  const conn = sim.stats().connections[0]!;
  expect(conn.lines).toBe(lines.length);
  expect(conn.sha256Lines).toBe(linesDigest(lines));
  return lines;
}

// Line 0 on L2 is the banner `S,SERVER CONNECTED`; tape row i is channel line i + 1.
describe('faults, one at a time', () => {
  it('drop: the line at the point is not sent, and is reported', async () => {
    const { client, sim } = await runL2([{ kind: 'drop', channel: 'L2', at: { line: 5 } }]);
    const lines = expectStatsMatchClient(sim, client);
    expect(lines).toEqual(['S,SERVER CONNECTED', ...ROWS.filter((_, i) => i !== 4)]);
    expect(report(sim).injected).toMatchObject([
      {
        n: 1,
        kind: 'drop',
        channel: 'L2',
        symbol: 'AAPL',
        connectionLine: 5,
        channelLine: 5,
        planned: 'line 5',
      },
    ]);
  });

  it('duplicate, corrupt and truncate change exactly their line', async () => {
    const { client, sim } = await runL2([
      { kind: 'duplicate', channel: 'L2', at: { line: 2 } },
      { kind: 'corrupt', channel: 'L2', at: { line: 4 }, field: 3 },
      { kind: 'truncate', channel: 'L2', at: { line: 6 }, keep: 9 },
    ]);
    const lines = expectStatsMatchClient(sim, client);
    expect(lines.slice(0, 3)).toEqual(['S,SERVER CONNECTED', ROWS[0], ROWS[1]]);
    expect(lines[3]).toBe(ROWS[1]);
    const corrupted = lines[5]!.split(',');
    expect(corrupted[3]).not.toBe(ROWS[3]!.split(',')[3]);
    expect(corrupted.filter((_, i) => i !== 3)).toEqual(ROWS[3]!.split(',').filter((_, i) => i !== 3));
    expect(lines[7]).toBe(ROWS[5]!.slice(0, 9));
    expect(lines.slice(8)).toEqual(ROWS.slice(6));
    expect(report(sim).injected.map((f) => [f.kind, f.channelLine])).toEqual([
      ['duplicate', 2],
      ['corrupt', 4],
      ['truncate', 6],
    ]);
  });

  it('split: a line cut inside its CRLF still frames back whole', async () => {
    const row = ROWS[9]!;
    const { client, sim } = await runL2([
      { kind: 'split', channel: 'L2', at: { line: 10 }, byte: row.length + 1 },
    ]);
    const lines = expectStatsMatchClient(sim, client);
    expect(lines).toEqual(['S,SERVER CONNECTED', ...ROWS]);
    expect(report(sim).injected[0]!.detail).toContain('inside the terminator');
  });

  it('inserted lines (garbage, binary, oversized, time-backwards, unknown type) come before their line', async () => {
    const { client, sim } = await runL2([
      { kind: 'garbage', channel: 'L2', at: { line: 3 }, bytes: 50 },
      { kind: 'binary', channel: 'L2', at: { line: 5 }, bytes: 300 },
      { kind: 'oversized', channel: 'L2', at: { line: 7 }, bytes: 1024 * 1024 },
      { kind: 'time-backwards', channel: 'L2', at: { line: 9 }, backMs: 3_600_000 },
      { kind: 'unknown-type', channel: 'L2', at: { line: 11 } },
    ]);
    const lines = expectStatsMatchClient(sim, client);
    expect(lines.length).toBe(1 + ROWS.length + 5);
    const injected = report(sim).injected;
    expect(injected.map((f) => f.kind)).toEqual([
      'garbage',
      'binary',
      'oversized',
      'time-backwards',
      'unknown-type',
    ]);
    expect(lines[3]).toHaveLength(50);
    expect(lines[6]).toHaveLength(300);
    expect(lines[9]).toHaveLength(1024 * 1024);
    expect(lines[12]).toMatch(/^T,\d{8} \d\d:\d\d:\d\d$/);
    expect(lines[15]).toMatch(/^K,AAPL,/);
    // Every tape row is still there, in order, unchanged.
    expect(lines.filter((l) => ROWS.includes(l))).toEqual(ROWS);
    // The report says where on the wire each inserted line is.
    for (const f of injected) expect(lines[f.wireLine]).not.toBe(undefined);
    expect(injected.map((f) => f.wireLine)).toEqual([3, 6, 9, 12, 15]);
  });

  it('every line a fault put on the wire is reported with its byte length and SHA-256', async () => {
    // A verifier finds a bad line by its place; without what the line was, any line at that
    // place would pass for it.
    const { client, sim } = await runL2([
      { kind: 'garbage', channel: 'L2', at: { line: 3 }, bytes: 50 },
      { kind: 'binary', channel: 'L2', at: { line: 5 }, bytes: 300 },
      { kind: 'oversized', channel: 'L2', at: { line: 7 }, bytes: 1024 * 1024 },
      { kind: 'time-backwards', channel: 'L2', at: { line: 9 } },
      { kind: 'unknown-type', channel: 'L2', at: { line: 11 } },
      { kind: 'duplicate', channel: 'L2', at: { line: 13 } },
      { kind: 'corrupt', channel: 'L2', at: { line: 15 } },
      { kind: 'truncate', channel: 'L2', at: { line: 17 }, keep: 9 },
      { kind: 'drop', channel: 'L2', at: { line: 19 } },
      { kind: 'split', channel: 'L2', at: { line: 21 }, byte: 5 },
    ]);
    const lines = expectStatsMatchClient(sim, client);
    const injected = report(sim).injected;
    expect(injected).toHaveLength(10);
    for (const f of injected) {
      if (f.addedLines === 0) {
        expect(f.addedLine).toBeNull();
        continue;
      }
      const sent = lines[f.wireLine]!;
      const digest = createHash('sha256').update(sent, 'latin1').digest('hex');
      expect(f.addedLine, f.kind).toEqual({ bytes: Buffer.byteLength(sent, 'latin1'), sha256: digest });
    }
    expect(injected.find((f) => f.kind === 'oversized')?.addedLine?.bytes).toBe(1024 * 1024);
  });

  it('close: FIN before the line, everything before it delivered', async () => {
    const { client, sim } = await runL2([{ kind: 'close', channel: 'L2', at: { line: 8 } }]);
    await waitFor(() => client.closed, 'the close');
    const lines = expectStatsMatchClient(sim, client);
    expect(lines).toEqual(['S,SERVER CONNECTED', ...ROWS.slice(0, 7)]);
    expect(report(sim).closedConnections).toEqual([sim.stats().connections[0]!.id]);
  });

  it('reset: the client sees ECONNRESET and the report names the connection', async () => {
    const { client, sim } = await runL2([{ kind: 'reset', channel: 'L2', at: { line: 8 } }]);
    let error = '';
    client.socket.on('error', (e: NodeJS.ErrnoException) => {
      error = e.code ?? e.message;
    });
    await waitFor(() => client.closed, 'the reset');
    expect(['ECONNRESET', '']).toContain(error);
    const lines = framed(client.bytes);
    // A reset may lose what the kernel had not passed on; what did arrive is a prefix.
    expect(['S,SERVER CONNECTED', ...ROWS.slice(0, 7)].slice(0, lines.length)).toEqual(lines);
    expect(report(sim).resetConnections).toEqual([sim.stats().connections[0]!.id]);
  });

  it('outage: S,SERVER DISCONNECTED, FIN, then connections refused until the time is up', async () => {
    const { client, sim } = await runL2([{ kind: 'outage', channel: 'L2', at: { line: 3 }, ms: 400 }]);
    await waitFor(() => client.closed, 'the close');
    expect(framed(client.bytes)).toEqual(['S,SERVER CONNECTED', ROWS[0], ROWS[1], 'S,SERVER DISCONNECTED']);
    await expect(TestClient.connect(sim.ports.L2, 'L2')).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    expect(report(sim).refusals).toMatchObject([{ channel: 'L2', ms: 400 }]);
    // After the outage a connection is served again.
    const deadline = Date.now() + 5_000;
    let back: TestClient | null = null;
    while (back === null) {
      if (Date.now() > deadline) throw new Error('the port did not accept again after the outage');
      back = await TestClient.connect(sim.ports.L2, 'L2').catch(() => null);
      if (back === null) await new Promise((r) => setTimeout(r, 20));
    }
    clients.push(back);
    await back.waitForLines(1);
    expect(back.lines()[0]).toBe('S,SERVER CONNECTED');
  });

  it('stall: output held for its time, nothing lost', async () => {
    const t0 = Date.now();
    const { client, sim } = await runL2([{ kind: 'stall', channel: 'L2', at: { line: 4 }, ms: 300 }]);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(290);
    expect(expectStatsMatchClient(sim, client)).toEqual(['S,SERVER CONNECTED', ...ROWS]);
  });

  it('a fault by simulated time and by symbol fires once, on the first matching line', async () => {
    const sim = await startSim({
      tape: tape(),
      speed: 'max',
      faults: {
        faults: [
          { kind: 'drop', channel: 'L2', symbol: 'AAPL', at: { line: 0 } },
          { kind: 'duplicate', channel: 'L2', at: { timeMs: 200 } },
        ],
      },
    });
    sims.push(sim);
    const client = await TestClient.connect(sim.ports.L2, 'L2');
    clients.push(client);
    client.send(['S,TIMESTAMPSOFF', 'WPL,AAPL']);
    await sim.tapeEnd;
    await waitFor(() => client.byteCount >= sim.stats().connections[0]!.bytes, 'every byte');
    const lines = expectStatsMatchClient(sim, client);
    const r = report(sim);
    expect(r.injected.map((f) => [f.kind, f.symbol, f.connectionLine])).toEqual([
      ['drop', 'AAPL', 1],
      ['duplicate', 'AAPL', 21],
    ]);
    // Row i is at i × 10 ms after the time base: +200 ms is row 20, channel line 21; row 0 was
    // dropped, so the client sees row 20 twice at lines 20 and 21.
    expect(lines[20]).toBe(ROWS[20]);
    expect(lines[21]).toBe(ROWS[20]);
    expect(r.notReached).toEqual([]);
  });

  it('reports faults the run never reached', async () => {
    const { sim } = await runL2([{ kind: 'drop', channel: 'L2', at: { line: 10_000 } }]);
    expect(report(sim)).toMatchObject({
      injected: [],
      notReached: [{ n: 1, kind: 'drop', planned: 'line 10000' }],
    });
  });
});

describe('random fault schedules (property)', () => {
  const kinds = fc.constantFrom(
    'drop',
    'duplicate',
    'corrupt',
    'truncate',
    'split',
    'garbage',
    'binary',
    'time-backwards',
    'unknown-type',
  ) as fc.Arbitrary<FaultDef['kind']>;
  const schedule = fc.array(fc.record({ kind: kinds, line: fc.integer({ min: 0, max: 45 }) }), {
    minLength: 1,
    maxLength: 12,
  });

  it('whatever the schedule, the stats are exactly what the client frames, and every fault is reported', async () => {
    await fc.assert(
      fc.asyncProperty(schedule, fc.integer({ min: 0, max: 1000 }), async (faults, seed) => {
        const spec: FaultSpec = {
          faults: faults.map((f) => ({ kind: f.kind, channel: 'L2', at: { line: f.line } })),
        };
        const { client, sim } = await runL2(spec.faults ?? [], seed);
        const lines = expectStatsMatchClient(sim, client);
        const r = report(sim);
        expect(r.injected.length + r.notReached.length).toBe(faults.length);
        // No silent loss: every tape row not dropped arrives, in order, or is accounted for by a
        // fault that altered it.
        const altered = r.injected.filter((f) => ['drop', 'corrupt', 'truncate'].includes(f.kind)).length;
        const rowsSeen = lines.filter((l) => ROWS.includes(l));
        const distinct = new Set(rowsSeen).size;
        expect(distinct).toBeGreaterThanOrEqual(ROWS.length - altered);
        for (const c of clients.splice(0)) c.close();
        for (const s of sims.splice(0)) await s.stop();
      }),
      { numRuns: 25, seed: 42 },
    );
  });
});
