/**
 * The crash-restart kill check on its own (no processes): it passes only when every planned
 * kill was done with the feed live, at or past its tape line, and every restart resumed the same
 * session; the kill plan is a function of the tape's size and the seed alone.
 */
import { describe, expect, it } from 'vitest';
import { type Kill, killPlan, killsCheck } from '../../../harness/scenarios/crash-restart.js';

const plan = killPlan(100_000, 4, 5002);

function kill(n: number, over: Partial<Kill> = {}): Kill {
  return {
    n,
    plannedLine: plan[n - 1]!,
    atLine: plan[n - 1]! + 50,
    afterTapeEnd: false,
    atMs: n * 1000,
    headSeqBefore: n * 900,
    restartMs: 400,
    resumed: true,
    sameSession: true,
    checkpointsMoved: 0,
    ...over,
  };
}

const sim = { replay: { holds: 4, heldMs: 1600 } };
const all = (over: Partial<Kill> = {}, at = -1): Kill[] =>
  plan.map((_, i) => kill(i + 1, i === at ? over : {}));

describe('crash-restart kills check', () => {
  it('plans the same seeded lines every time, one in each slice of 5 %–90 % of the tape', () => {
    expect(killPlan(100_000, 4, 5002)).toEqual(plan);
    expect(killPlan(100_000, 4, 5003)).not.toEqual(plan);
    const slice = (100_000 * 0.85) / 4;
    plan.forEach((line, i) => {
      expect(line).toBeGreaterThanOrEqual(5000 + i * slice);
      expect(line).toBeLessThan(5000 + (i + 1) * slice);
    });
  });

  it('passes when every kill was done live and every restart resumed the session', () => {
    const c = killsCheck(plan, all(), sim);
    expect(c.pass).toBe(true);
    expect(c.evidence.counts).toMatchObject({ planned: 4, killed: 4, notResumed: 0, notLive: 0, holds: 4 });
  });

  it('fails when a restart did not resume the session', () => {
    const fresh = killsCheck(plan, all({ resumed: false }, 2), sim);
    expect(fresh.pass).toBe(false);
    expect(fresh.evidence.differences?.[0]).toMatchObject({ actual: 'a fresh start' });
    const other = killsCheck(plan, all({ resumed: true, sameSession: false }, 1), sim);
    expect(other.pass).toBe(false);
    expect(other.evidence.counts?.['notResumed']).toBe(1);
  });

  it('fails when fewer kills were done than planned', () => {
    const c = killsCheck(plan, all().slice(0, 3), sim);
    expect(c.pass).toBe(false);
    expect(c.measured).toContain('3 of 4 kills done');
    expect(c.evidence.differences?.[0]).toMatchObject({ actual: 'not done: the tape ended first' });
  });

  it('fails when a kill was not done with the feed live at its line', () => {
    expect(killsCheck(plan, all({ afterTapeEnd: true }, 3), sim).pass).toBe(false);
    expect(killsCheck(plan, all({ atLine: plan[0]! - 1 }, 0), sim).pass).toBe(false);
  });
});
