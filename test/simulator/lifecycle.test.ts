import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../common/clock.js';
import { L2hError } from '../../common/errors.js';
import type { SimulatorEvent, SimulatorHandle } from '../../simulator/index.js';
import {
  CountingClock,
  cleanupTempDirs,
  startSim,
  TestClient,
  waitFor,
  within,
  writeTape,
} from './helpers.js';

const ROW = '8,AAPL,B,100.0000,1,1,4,09:30:00.000000,2024-06-21,';
const sims: SimulatorHandle[] = [];
const clients: TestClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  for (const s of sims.splice(0)) await s.stop();
  cleanupTempDirs();
});

async function rejection(p: Promise<unknown>): Promise<L2hError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  if (!(err instanceof L2hError)) throw new Error(`expected an L2hError, got ${String(err)}`);
  return err;
}

describe('simulator lifecycle', () => {
  it('with exitAtEnd, ends the run once the tape is replayed and the queues are flushed', async () => {
    const events: SimulatorEvent[] = [];
    const tape = writeTape({ symbols: 'AAPL', date: '2024-06-21' }, [[0, 'L2', ROW]]);
    const sim = await startSim({
      tape,
      speed: 'max',
      start: 'now',
      exitAtEnd: true,
      onEvent: (e) => events.push(e),
    });
    const stats = await sim.finished;
    expect(stats.reason).toBe('tape-end');
    expect(events.map((e) => e.event)).toEqual(['ready', 'tape-end', 'stats']);
    expect(await sim.stop()).toBe(stats); // idempotent: the same final report
    await expect(TestClient.connect(sim.ports.L2, 'L2')).rejects.toThrow(); // the ports are closed
  });

  it('keeps serving after the tape by default, until stopped', async () => {
    const tape = writeTape({ symbols: 'AAPL', date: '2024-06-21' }, [[0, 'L2', ROW]]);
    const sim = await startSim({ tape, clock: new ManualClock(0), start: 'now' });
    sims.push(sim);
    await sim.tapeEnd;
    const late = await TestClient.connect(sim.ports.L2, 'L2');
    late.send('WPL,AAPL');
    await late.waitForLines(2);
    expect(late.lines()).toEqual(['S,SERVER CONNECTED', ROW.replace(/^8/, '7')]);
    late.close();
    const stats = await sim.stop('signal');
    expect(stats.reason).toBe('signal');
  });

  it('refuses a malformed tape before listening, naming the file and line', async () => {
    const tape = writeTape({ symbols: 'AAPL' }, [
      [10, 'L2', ROW],
      [5, 'L2', ROW],
    ]);
    const err = await rejection(startSim({ tape }));
    expect(err.code).toBe('BAD_INPUT');
    expect(err.describe()).toContain(tape);
    expect(err.context.line).toBe(4);
  });

  it('says which port is taken and how to pick a free one', async () => {
    const tape = writeTape({ symbols: 'AAPL' }, [[0, 'L2', ROW]]);
    const first = await startSim({ tape });
    sims.push(first);
    const err = await rejection(startSim({ tape, ports: { L1: 0, L2: first.ports.L2, ADMIN: 0 } }));
    expect(err.code).toBe('BAD_USAGE');
    expect(err.message).toContain(`${first.ports.L2}`);
    expect(err.hint).toContain('--port-l2 0');
  });

  it('closes client connections when the run ends', async () => {
    const tape = writeTape({ symbols: 'AAPL' }, [[0, 'L2', ROW]]);
    const sim = await startSim({ tape });
    const c = await TestClient.connect(sim.ports.L1, 'L1');
    await c.waitForLines(4);
    await sim.stop();
    await waitFor(() => c.closed, 'the client connection closed');
  });

  it('stop() resolves while a client is not reading; once it reads it still gets every byte', async () => {
    // ~16 MB of L1 quotes: more than loopback's kernel buffers hold for a reader that stopped.
    const pad = 'x'.repeat(400);
    const body = Array.from(
      { length: 40_000 },
      (_, i) => [i, 'L1', `Q,AAPL,134.62,100,09:30:00.000100,11,${i},134.61,300,134.65,${pad},`] as const,
    );
    const sim = await startSim({
      tape: writeTape({ symbols: 'AAPL', date: '2024-06-21' }, body),
      speed: 'max',
      maxQueueKb: 64,
    });
    sims.push(sim);
    const c = await TestClient.connect(sim.ports.L1, 'L1');
    clients.push(c);
    let fin = false;
    c.socket.once('end', () => {
      fin = true;
    });
    c.socket.pause();
    c.send('wAAPL');
    await waitFor(() => (sim.stats().connections[0]?.stalls ?? 0) >= 1, 'the client to go over its bound');

    // The connection still owes bytes the client is not taking: stopping must not wait for them.
    const stats = await within(sim.stop('signal'), 2_000);
    if (stats === 'pending') throw new Error('stop() still pending 2 s after it was called');
    expect(c.closed).toBe(false);
    c.socket.resume();
    await waitFor(() => c.closed, 'the connection closed after the queued bytes');
    expect(fin).toBe(true);
    expect(c.byteCount).toBe(stats.connections[0]!.bytes);
    expect(c.sha256()).toBe(stats.connections[0]!.sha256Raw);
  }, 30_000);

  it('with exitAtEnd, leaves no timer behind, not even the re-listen of an outage still running', async () => {
    const clock = new CountingClock();
    const tape = writeTape(
      { symbols: 'AAPL', date: '2024-06-21' },
      Array.from(
        { length: 20 },
        (_, i) => [i * 1000, 'L1', `Q,AAPL,134.62,100,09:30:00.000100,11,${i},`] as const,
      ),
    );
    const sim = await startSim({
      tape,
      clock,
      speed: 'max',
      exitAtEnd: true,
      faults: { faults: [{ kind: 'outage', channel: 'L1', at: { line: 5 }, ms: 600_000 }] },
    });
    sims.push(sim);
    const c = await TestClient.connect(sim.ports.L1, 'L1');
    clients.push(c);
    c.send('wAAPL');
    const stats = await sim.finished;
    expect(stats.faults?.injected.map((f) => f.kind)).toEqual(['outage']);
    // A pending timer keeps `l2h simulate --exit-at-end` alive after the run (here 10 minutes).
    await waitFor(() => clock.pendingMs().length === 0, 'every timer of the run fired or cancelled', 3_000);
  });
});
