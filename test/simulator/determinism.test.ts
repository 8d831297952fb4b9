/**
 * The same tape, flags, seed and client commands give the same bytes on every connection, every
 * run; clients with the same watches get the same stream; the stats say exactly what was sent.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Channel } from '../../collector/protocol/channel.js';
import type { SimulatorEvent, SimulatorStats } from '../../simulator/index.js';
import { cleanupTempDirs, startSim, TERMINATOR, TestClient, tempDir, waitFor, writeTape } from './helpers.js';
import { syntheticBody } from './synthetic.js';

afterEach(() => cleanupTempDirs());

interface RunResult {
  readonly stats: SimulatorStats;
  readonly received: { readonly channel: Channel; readonly bytes: Buffer }[];
  readonly events: SimulatorEvent[];
  readonly statsFile: string;
}

/** One full run: connect, set up every client before the start, replay at full speed, end. */
async function oneRun(tape: string, checkpointEvery: number): Promise<RunResult> {
  const events: SimulatorEvent[] = [];
  const statsFile = join(tempDir(), 'stats.json');
  const sim = await startSim({
    tape,
    speed: 'max',
    start: 'all-watched',
    seed: 42,
    checkpointEvery,
    statsFile,
    onEvent: (e) => events.push(e),
  });
  const admin = await TestClient.connect(sim.ports.ADMIN, 'ADMIN');
  const plan: [Channel, string[]][] = [
    ['L2', ['S,SET PROTOCOL,6.2', 'WPL,AAPL', 'WPL,MSFT']],
    ['L2', ['S,SET PROTOCOL,6.2', 'WPL,AAPL', 'WPL,MSFT']], // same watches as the first
    ['L2', ['WOR,AAPL', 'S,TIMESTAMPSOFF', 'WOR,MSFT']],
    ['L1', ['S,SET PROTOCOL,6.2', 'wAAPL', 'S,NEWSON']],
    ['L1', ['S,SELECT UPDATE FIELDS,Symbol,Bid,Ask,Message Contents', 'tAAPL']],
  ];
  const clients: TestClient[] = [admin];
  admin.send(['S,REGISTER CLIENT APP,L2H,1.0', 'S,SET LOGINID,123456']);
  await admin.waitForLines(2);
  for (const [ch, cmds] of plan) {
    const c = await TestClient.connect(sim.ports[ch], ch);
    clients.push(c);
    c.send([...cmds, 'S,REQUEST WATCHES']);
    await c.waitForLine((l) => l.startsWith('S,WATCHES'), 'the watches');
  }
  expect(sim.stats().replay.started).toBe(false);
  const last = await TestClient.connect(sim.ports.L1, 'L1');
  clients.push(last);
  last.send(['wMSFT', 'wAAPL']); // now every symbol is watched on both ports
  await sim.tapeEnd;
  const ended = sim.stats();
  await waitFor(
    () => clients.every((c, i) => c.byteCount === ended.connections[i].bytes),
    'every client to receive everything',
  );
  admin.send('S,L2H END');
  const stats = await sim.finished;
  const received = clients.map((c) => ({ channel: c.channel, bytes: c.bytes }));
  for (const c of clients) c.close();
  return { stats, received, events, statsFile };
}

const sha = (b: Buffer | string): string => createHash('sha256').update(b).digest('hex');

describe('determinism and exact stats', () => {
  it('gives the same bytes on every connection across runs, and reports exactly what was sent', async () => {
    const tape = writeTape({ symbols: 'AAPL,MSFT', l2: 'mbp', date: '2024-06-21' }, syntheticBody(7, 6000));
    const first = await oneRun(tape, 500);
    const second = await oneRun(tape, 500);

    // Same bytes, every connection, both runs.
    const digests = (r: RunResult) =>
      r.stats.connections.map((c) => [c.channel, c.lines, c.sha256Raw, c.sha256Lines]);
    expect(digests(second)).toEqual(digests(first));
    expect(second.received.map((r) => sha(r.bytes))).toEqual(first.received.map((r) => sha(r.bytes)));
    // Clients with the same commands get the same stream.
    expect(sha(first.received[1].bytes)).toBe(sha(first.received[2].bytes));

    const { stats, received, events } = first;
    expect(stats.reason).toBe('admin-end');
    expect(stats.replay.linesReplayed).toBe(stats.tape.lines);
    received.forEach((r, i) => {
      const c = stats.connections[i];
      expect(c.channel).toBe(r.channel);
      const text = r.bytes.toString('latin1');
      const lines = text.split(TERMINATOR[r.channel]);
      expect(lines.pop()).toBe('');
      // Counts and digests are those of what the client received.
      expect(c.bytes).toBe(r.bytes.length);
      expect(c.lines).toBe(lines.length);
      expect(c.sha256Raw).toBe(sha(r.bytes));
      expect(c.sha256Lines).toBe(sha(lines.map((l) => `${l}\n`).join('')));
      // A checkpoint every 500 lines: the digest of the first N lines.
      expect(c.checkpoints.length).toBe(Math.floor(lines.length / 500));
      for (const cp of c.checkpoints) {
        expect(cp.sha256).toBe(
          sha(
            lines
              .slice(0, cp.lines)
              .map((l) => `${l}\n`)
              .join(''),
          ),
        );
      }
    });
    expect(stats.connections.some((c) => c.checkpoints.length >= 3)).toBe(true);

    // Per channel, per type and per symbol totals add up to what the clients received.
    const byType: Record<Channel, Record<string, number>> = { L1: {}, L2: {}, ADMIN: {} };
    const bySymbol: Record<string, { L1: number; L2: number }> = {};
    const totals: Record<Channel, { lines: number; bytes: number }> = {
      L1: { lines: 0, bytes: 0 },
      L2: { lines: 0, bytes: 0 },
      ADMIN: { lines: 0, bytes: 0 },
    };
    for (const r of received) {
      const lines = r.bytes.toString('latin1').split(TERMINATOR[r.channel]).slice(0, -1);
      totals[r.channel].lines += lines.length;
      totals[r.channel].bytes += r.bytes.length;
      for (const l of lines) {
        const type = l.split(',')[0];
        byType[r.channel][type] = (byType[r.channel][type] ?? 0) + 1;
        const m = /^(?:[QPFRC0-9Zqn]|S,CLEAR DEPTH),([A-Z]+)/.exec(l);
        if (m && r.channel !== 'ADMIN') {
          bySymbol[m[1]] ??= { L1: 0, L2: 0 };
          bySymbol[m[1]][r.channel]++;
        }
      }
    }
    for (const ch of ['L1', 'L2', 'ADMIN'] as const) {
      expect(stats.channels[ch].lines).toBe(totals[ch].lines);
      expect(stats.channels[ch].bytes).toBe(totals[ch].bytes);
    }
    expect(stats.types).toEqual(byType);
    expect(stats.symbols).toEqual(bySymbol);

    // tape-end carried the same channel totals; stats went to stdout-style events and the file.
    const tapeEnd = events.find((e) => e.event === 'tape-end') as Record<string, unknown>;
    expect(tapeEnd.channels).toEqual(stats.channels);
    expect(events.map((e) => e.event)).toEqual(['ready', 'tape-end', 'stats']);
    expect(JSON.parse(readFileSync(first.statsFile, 'utf8'))).toEqual(JSON.parse(JSON.stringify(stats)));
  }, 60_000);
});
