import { describe, expect, it } from 'vitest';
import { judgeSteps } from '../../../harness/load/load.js';
import type { StepOutcome } from '../../../harness/load/step.js';
import type { Check, RunResults } from '../../../harness/results/types.js';

function step(index: number, rate: number, reason: string | null, completed = true): StepOutcome {
  const id = `load.step-0${index + 1}`;
  const check: Check = {
    id,
    group: 'load',
    title: `Step ${index + 1}: ${rate} msgs/s`,
    threshold: 'lost = 0, p99 feed→journal ≤ 50 ms',
    measured: `achieved ${rate} msgs/s; lost 0`,
    pass: reason === null,
    evidence: { files: [`steps/0${index + 1}-${rate}/results.json`] },
  };
  return {
    step: {
      offeredRate: rate,
      achievedRate: rate,
      lost: 0,
      duplicated: 0,
      latency: [],
      pass: reason === null,
      reason,
    },
    check,
    usage: null,
    dir: `/tmp/steps/0${index + 1}-${rate}`,
    lines: rate,
    short: false,
    durationS: 1,
    results: completed ? ({ verdict: 'pass', checks: [] } as unknown as RunResults) : null,
    verificationFailures: [],
  };
}

describe('judgeSteps', () => {
  it('passes a run that found its breaking point, the breaking step as the finding it is', () => {
    const steps = [
      step(0, 10_000, null),
      step(1, 20_000, null),
      step(2, 40_000, 'p99 feed→journal 74 ms > 50 ms'),
    ];
    const j = judgeSteps(steps, [10_000, 20_000, 40_000, 80_000]);
    expect(j.verdict).toBe('pass');
    expect(j.sustainable?.step.offeredRate).toBe(20_000);
    const breaking = j.checks.find((c) => c.id === 'load.step-03')!;
    expect(breaking.pass).toBe(true);
    expect(breaking.title).toMatch(/the breaking point/);
    expect(breaking.measured).toMatch(/broke: p99 feed→journal 74 ms > 50 ms/);
    // Every check agrees with the verdict (reports refuse results that contradict themselves).
    expect(j.checks.every((c) => c.pass)).toBe(true);
  });

  it('fails when the breaking step did not run to the end, or when no step was sustainable', () => {
    const crashed = judgeSteps(
      [step(0, 10_000, null), step(1, 20_000, 'the step did not complete', false)],
      [10_000, 20_000],
    );
    expect(crashed.verdict).toBe('fail');
    expect(crashed.checks.find((c) => c.id === 'load.step-02')!.pass).toBe(false);

    const none = judgeSteps([step(0, 10_000, 'lost 12')], [10_000, 20_000]);
    expect(none.verdict).toBe('fail');
    expect(none.checks.find((c) => c.id === 'load.step-01')!.pass).toBe(false);
  });
});
