import { describe, expect, it } from 'vitest';
import type { Check, RunResults } from '../../../harness/results/types.js';
import { type SimStatsFile, truncationAllowedOf } from '../../../harness/scenarios/common.js';
import type { ConnectionReport } from '../../../simulator/stats.js';

/** Three connections on each of L1 and L2, the second L2 one reset by a fault. */
const stats = {
  connections: (['L1', 'L2'] as const).flatMap((channel, c) =>
    [1, 2, 3].map((i) => ({ id: c * 3 + i, channel }) as unknown as ConnectionReport),
  ),
  faults: { resetConnections: [5] },
} as unknown as SimStatsFile;

function results(scenario: string | null, feed?: Partial<Check>): RunResults {
  const check: Check = {
    id: 'zero-loss.simulator-vs-journal',
    group: 'zero-loss',
    title: '',
    threshold: '',
    measured: '',
    pass: true,
    evidence: {},
    ...feed,
  };
  return { run: { scenario }, checks: [check] } as unknown as RunResults;
}

describe('truncationAllowedOf: what a finished run allowed to be cut short, for l2h verify', () => {
  it('takes what the run recorded in its feed check', () => {
    const t = truncationAllowedOf(
      results('crash-restart', { evidence: { details: { truncatedAllowed: ['L2#1'] } } }),
      stats,
    );
    expect(t.source).toBe('recorded');
    expect([...t.names]).toEqual(['L2#1']);
  });

  it('recomputes it as the scenario does for a run that did not record it', () => {
    const crash = truncationAllowedOf(results('crash-restart'), stats);
    expect(crash.source).toBe('scenario');
    expect([...crash.names].sort()).toEqual(['L1#1', 'L1#2', 'L2#1', 'L2#2']);
    expect([...truncationAllowedOf(results('disconnect-storm'), stats).names]).toEqual(['L2#2']);
  });

  it('allows nothing for a run without a crash scenario', () => {
    const t = truncationAllowedOf(results(null), stats);
    expect(t.source).toBe('none');
    expect(t.names.size).toBe(0);
  });
});
