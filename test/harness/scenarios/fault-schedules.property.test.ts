/**
 * Property: for any schedule of faults (drawn by fast-check: kinds, channels, points), a replay
 * through the real simulator and collector still verifies. Every line the simulator sent is
 * journaled (a reset connection's journal must be a prefix), every record the journal implies is
 * in the sink once and equals the reference, the collector never crashes, and every fault is in
 * the simulator's report: a dropped line is a disclosed fault (and the simulator's stats say it
 * was not sent), never a silent loss; a connection a fault ended is followed by a reconnect.
 *
 * `corrupt` and `truncate` are left to hostile-feed, whose checks say where collector and
 * reference disagree about a line that is still partly decodable.
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../common/logger.js';
import { runReplay } from '../../../harness/replay/replay.js';
import {
  readSimStats,
  resetConnectionNames,
  stopSimulatorThenSettle,
} from '../../../harness/scenarios/common.js';
import { scenarioTape } from '../../../harness/scenarios/tape.js';
import type { FaultDef, FaultSpec } from '../../../simulator/faults/spec.js';

const root = mkdtempSync(join(tmpdir(), 'l2h-fault-props-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const KINDS = [
  'drop',
  'duplicate',
  'split',
  'garbage',
  'binary',
  'oversized',
  'time-backwards',
  'unknown-type',
  'stall',
  'close',
  'reset',
  'outage',
] as const satisfies readonly FaultDef['kind'][];

const fault = fc.record({
  kind: fc.constantFrom(...KINDS),
  channel: fc.constantFrom('L1', 'L2'),
  line: fc.integer({ min: 10, max: 2500 }),
}) as fc.Arbitrary<{ kind: FaultDef['kind']; channel: 'L1' | 'L2'; line: number }>;

let run = 0;

describe('random fault schedules through the real collector', () => {
  it('verify, or fail only as the fault must', async () => {
    const tape = await scenarioTape(7001, 8000);
    await fc.assert(
      fc.asyncProperty(
        fc.array(fault, { minLength: 1, maxLength: 6 }),
        fc.integer({ min: 1, max: 1_000_000 }),
        async (faults, seed) => {
          const spec: FaultSpec = {
            seed,
            faults: faults.map((f) => ({
              kind: f.kind,
              channel: f.channel,
              at: { line: f.line },
              ...(f.kind === 'oversized' ? { bytes: 200_000 } : {}),
              ...(f.kind === 'stall' || f.kind === 'outage' ? { ms: 150 } : {}),
            })),
          };
          const { results } = await runReplay({
            tape,
            out: join(root, `run-${++run}`),
            speed: 'max',
            rate: null,
            sinks: ['jsonl'],
            depth: 10,
            seed,
            timeoutMs: 120_000,
            command: 'property',
            scenario: null,
            logger: silentLogger,
            simulatorArgs: ['--faults', JSON.stringify(spec)],
            hooks: {
              afterTapeEnd: (c) => stopSimulatorThenSettle(c),
              truncatedAllowed: async (c) => resetConnectionNames(await readSimStats(c.paths)),
              extraChecks: async (c) => {
                const stats = await readSimStats(c.paths);
                const report = stats.faults!;
                // Every fault is accounted for: fired (with where), or not reached.
                expect(report.injected.length + report.notReached.length).toBe(faults.length);
                for (const f of report.injected) expect(f.channelLine).toBeGreaterThanOrEqual(0);
                return [];
              },
            },
          });
          const failing = results.checks.filter((c) => !c.pass).map((c) => `${c.id}: ${c.measured}`);
          expect(failing, JSON.stringify(spec)).toEqual([]);
        },
      ),
      { numRuns: 5, seed: 20251125, endOnFailure: true },
    );
  }, 600_000);
});
