/**
 * `--wait-for-clients`, paced, a wait at the flow gate moves the rest
 * of the schedule by as long as it held back a line that was due, never by time the replay would
 * have spent waiting for the next line anyway. Whether the wait began at the line that put the
 * client over its bound (the engine stops at once) or while the engine waited for the next line's
 * time (it meets the gate at that time) must not change when the later lines are due.
 */
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../common/clock.js';
import type { FaultSpec } from '../../../simulator/faults/spec.js';
import {
  BIG_TAPE_START_US,
  CountingClock,
  startSim,
  stopAfterEach,
  type TapeBody,
  TestClient,
  waitFor,
  writeTape,
} from '../helpers.js';

const { sims, clients } = stopAfterEach();

const MAX_QUEUE_BYTES = 1024;
/** Every row is the same length, so the row that takes a held queue over the bound is known. */
const row = (i: number): string =>
  `8,AAPL,${i % 2 ? 'A' : 'B'},100.${String(i % 100).padStart(2, '0')},1,1,2,09:30:00.000000,2024-06-21,`;
const ROW_BYTES = row(0).length + 2; // CRLF on L2
const LATE_OFFSETS_US = [10_000_000, 10_000_010, 12_500_000];
const HOLD_MS = 500;

describe('--wait-for-clients, paced: a wait that held back no due line does not move the schedule', () => {
  // A burst at the tape's start, all of it held for HOLD_MS by a stall fault on its first row,
  // then rows 10 s later. With `fits` rows the held queue stays within its bound (the engine goes
  // on to wait for the next second's time); with one more, the burst's last row takes it over the
  // bound and the engine stops at the gate right there. Either way the hold is over 9.5 s before
  // anything else is due: the later rows keep their recorded times.
  const fits = Math.floor(MAX_QUEUE_BYTES / ROW_BYTES);
  for (const burst of [fits, fits + 1]) {
    it(`a burst of ${burst} rows ${burst > fits ? 'over' : 'within'} the bound, held ${HOLD_MS} ms`, async () => {
      const body: TapeBody = [
        ...Array.from({ length: burst }, (_, i) => [0, 'L2', row(i)] as const),
        ...LATE_OFFSETS_US.map((o, i) => [o, 'L2', row(burst + i)] as const),
      ];
      const tape = writeTape({ symbols: 'AAPL', l2: 'mbp', 'start-us': String(BIG_TAPE_START_US) }, body);
      const clock = new ManualClock(10_000_000);
      const timers = new CountingClock(clock);
      const dues: number[] = [];
      const faults: FaultSpec = {
        faults: [{ kind: 'stall', channel: 'L2', symbol: 'AAPL', at: { line: 0 }, ms: HOLD_MS }],
      };
      const sim = await startSim({
        tape,
        speed: 1,
        clock: timers,
        maxQueueKb: MAX_QUEUE_BYTES / 1024,
        waitForClients: true,
        faults,
        probe: (due) => dues.push(due),
      });
      sims.push(sim);
      const c = await TestClient.connect(sim.ports.L2, 'L2');
      clients.push(c);
      c.send(['S,TIMESTAMPSOFF', 'WPL,AAPL']);
      await waitFor(() => sim.stats().replay.started, 'the replay to start');
      const startUs = clock.monoUs();
      // The burst is queued (held); the engine waits, at the gate or for the next second's time.
      await waitFor(() => sim.stats().replay.linesReplayed === burst, 'the burst');
      await waitFor(() => timers.pendingMs().includes(HOLD_MS), 'the held output');
      expect(sim.stats().connections[0]!.stalls).toBe(1);
      const held = burst > fits ? [HOLD_MS] : [HOLD_MS, 1000];
      await waitFor(() => timers.pendingMs().length === held.length, 'the engine to wait');
      expect(timers.pendingMs().sort((a, b) => a - b)).toEqual(held);

      // The hold ends; the client takes the burst long before the next line is due.
      clock.advanceUs(HOLD_MS * 1000);
      await waitFor(() => c.byteCount === sim.stats().connections[0]!.bytes, 'the burst delivered');
      await waitFor(() => sim.stats().connections[0]!.stalledMs === HOLD_MS, 'the stall to end');

      for (let i = 0; i < 200 && !sim.stats().replay.tapeEnded; i++) {
        clock.advanceUs(100_000);
        await waitFor(() => timers.pendingMs().length > 0 || sim.stats().replay.tapeEnded, 'the next wait');
      }
      await sim.tapeEnd;
      await waitFor(() => c.byteCount === sim.stats().connections[0]!.bytes, 'every byte delivered');
      expect(c.lines().slice(1)).toEqual(body.map(([, , l]) => l));
      // Due at their recorded times: nothing was held back past its time, nothing moves.
      const offsets = body.map(([o]) => o);
      expect(dues.map((d) => d - startUs)).toEqual(offsets);
    }, 30_000);
  }
});
