import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../common/logger.js';
import { generateTape } from '../../../fixtures/index.js';
import { runLoad } from '../../../harness/load/load.js';
import { FEED_TO_JOURNAL } from '../../../harness/load/step.js';

/**
 * What a step is judged on, end to end with real processes: a step that ran clean but far below
 * its offered rate, or whose tape gave too few latency samples to stand for a p99, is not a
 * sustainable rate. The latency bound is loose: these tests are about the other two criteria.
 */
let dir: string;
let tape: string;
let l1only: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'l2h-load-judgement-'));
  tape = join(dir, 'day.tape');
  await generateTape({ seed: 'load-judgement', lines: 4000 }, tape);
  // The same day without its L2 lines (and without a #lines header that would now be wrong).
  const text = await readFile(tape, 'utf8');
  l1only = join(dir, 'l1only.tape');
  await writeFile(
    l1only,
    `${text
      .split('\n')
      .filter((l) => l !== '' && !l.includes('\tL2\t') && !l.startsWith('#lines '))
      .join('\n')}\n`,
  );
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const base = {
  stepSeconds: 1,
  sinks: ['jsonl'] as const,
  maxP99Ms: 10_000,
  maxSinkP99Ms: 10_000,
  depth: 10,
  seed: 1,
  command: 'test',
  logger: silentLogger,
};

describe('a load step is judged on the rate it achieved', () => {
  it('fails a step that delivered far less than it offered, though nothing was lost', async () => {
    // 4,000 lines offered at a million a second: no machine here delivers that.
    const outcome = await runLoad({
      ...base,
      tape,
      out: join(dir, 'fast'),
      plan: { kind: 'list', rates: [1_000_000] },
      stepSeconds: 0.004,
    });
    const s = outcome.steps[0]!.step;
    expect(s.lost).toBe(0);
    expect(s.achievedRate).toBeLessThan(900_000);
    expect(s.pass).toBe(false);
    expect(s.reason).toMatch(/achieved [\d,]+ msgs\/s < 90 % of 1,000,000 offered/);
    expect(outcome.sustainable).toBeNull();
  }, 120_000);
});

describe('a load step is judged on enough latency samples', () => {
  it('measures the achieved rate of an L1-only tape and refuses a p99 made of no samples', async () => {
    const outcome = await runLoad({
      ...base,
      tape: l1only,
      out: join(dir, 'l1only'),
      plan: { kind: 'list', rates: [500] },
      stepSeconds: 2,
    });
    const s = outcome.steps[0]!.step;
    expect(s.lost).toBe(0);
    // Measured over the L1 lines too (loose: a shared machine can stall a step).
    expect(s.achievedRate).toBeGreaterThan(250);
    expect(s.achievedRate).toBeLessThan(750);
    expect(s.latency.find((l) => l.name === FEED_TO_JOURNAL)?.count).toBe(0);
    expect(s.pass).toBe(false);
    expect(s.reason).toMatch(/feed→journal latency from 0 samples < 1,000/);
    expect(outcome.steps[0]!.check.measured).toMatch(/0 samples/);
    expect(outcome.results.checks[0]!.measured).toMatch(/no step passed.*0 samples/);
  }, 120_000);
});
