import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../common/clock.js';
import { L2hError } from '../../common/errors.js';
import type { SimulatorEvent, SimulatorHandle } from '../../simulator/index.js';
import { cleanupTempDirs, startSim, TestClient, waitFor, writeTape } from './helpers.js';

const ROW = '8,AAPL,B,100.0000,1,1,4,09:30:00.000000,2024-06-21,';
const sims: SimulatorHandle[] = [];
afterEach(async () => {
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
});
