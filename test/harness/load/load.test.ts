import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../common/logger.js';
import { generateTape } from '../../../fixtures/index.js';
import { runLoad } from '../../../harness/load/load.js';
import { FEED_TO_JOURNAL } from '../../../harness/load/step.js';
import type { RunResults } from '../../../harness/results/types.js';
import { writeReport } from '../../../reports/index.js';

/**
 * `l2h load` end to end with real processes (the built `l2h simulate` and `l2h collect`), on a
 * tiny generated day at two low rates. Bounds are set loose where the test is about the
 * mechanics, not about this machine's speed.
 */
let dir: string;
let tape: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'l2h-load-test-'));
  tape = join(dir, 'day.tape');
  await generateTape({ seed: 'load-test', lines: 4000 }, tape);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('l2h load', () => {
  it('runs each step through a verified replay and writes the load steps for the report', async () => {
    const out = join(dir, 'run');
    const events: string[] = [];
    const outcome = await runLoad({
      tape,
      out,
      plan: { kind: 'list', rates: [1000, 2000] },
      stepSeconds: 1,
      sinks: ['jsonl'],
      maxP99Ms: 10_000,
      maxSinkP99Ms: 10_000,
      // One-second steps of a 4,000-line day carry ~500 L2 lines at 1,000 msgs/s; the achieved
      // rate is held loosely below for the same reason (a shared machine stalls).
      minLatencySamples: 100,
      minAchieved: 0.5,
      depth: 10,
      seed: 1,
      command: 'test',
      logger: silentLogger,
      onStep: (e) => events.push(`${e.kind}:${e.index}`),
    });
    expect(events).toEqual(['start:0', 'done:0', 'start:1', 'done:1']);
    const results = JSON.parse(await readFile(join(out, 'results.json'), 'utf8')) as RunResults;
    expect(results.load).toHaveLength(2);
    for (const [i, step] of results.load!.entries()) {
      expect(step.offeredRate).toBe([1000, 2000][i]);
      expect(step.lost).toBe(0);
      expect(step.duplicated).toBe(0);
      expect(step.pass).toBe(true);
      // Near the offered rate: the replay really was paced (loose: a shared CI machine can stall
      // the collector for a few hundred ms of a one-second step).
      expect(step.achievedRate).toBeGreaterThan(step.offeredRate * 0.5);
      expect(step.achievedRate).toBeLessThan(step.offeredRate * 1.5);
      const feed = step.latency.find((l) => l.name === FEED_TO_JOURNAL)!;
      expect(feed.count).toBeGreaterThan(100);
      expect(feed.p99Ms).toBeGreaterThanOrEqual(feed.p50Ms);
      expect(feed.p999Ms).toBeGreaterThanOrEqual(feed.p99Ms);
      expect(step.latency.find((l) => l.name === 'journal→jsonl')?.count).toBeGreaterThan(0);
      expect(existsSync(join(out, 'steps', `0${i + 1}-${step.offeredRate}`, 'results.json'))).toBe(true);
    }
    const stepCheck = results.checks.find((c) => c.id === 'load.step-01')!;
    const details = stepCheck.evidence.details as Record<string, Record<string, number>>;
    expect(details['cpuSeconds']!['collector']).toBeGreaterThan(0);
    expect(details['peakRssMb']!['simulator']).toBeGreaterThan(0);
    expect(details['maxQueueDepth']).toHaveProperty('jsonl');
    expect(results.checks[0]).toMatchObject({ id: 'load.sustainable-rate', pass: true });
    expect(results.checks[0]!.measured).toMatch(
      /^2,000 msgs\/s offered.*over [\d,]+ samples.*every planned step passed/,
    );
    expect(outcome.sustainable?.step.offeredRate).toBe(2000);
    expect(outcome.broke).toBeNull();
    expect((await readFile(join(out, 'metrics.jsonl'), 'utf8')).trim().split('\n').length).toBeGreaterThan(0);
    // The report accepts the results and draws the load curve.
    const { files } = await writeReport(out);
    const html = await readFile(files.find((f) => f.endsWith('.html'))!, 'utf8');
    expect(html).toContain('chart-load');
  }, 180_000);

  it('stops at the first step that breaks the latency bound and says why', async () => {
    const out = join(dir, 'tight');
    const outcome = await runLoad({
      tape,
      out,
      plan: { kind: 'list', rates: [1000, 2000] },
      stepSeconds: 1,
      sinks: ['jsonl'],
      maxP99Ms: 0.0001,
      maxSinkP99Ms: 10_000,
      minLatencySamples: 100,
      minAchieved: 0.5,
      depth: 10,
      seed: 1,
      command: 'test',
      logger: silentLogger,
    });
    expect(outcome.steps).toHaveLength(1);
    expect(outcome.broke?.step.reason).toMatch(/p99 feed→journal [\d.]+ ms > 0.0001 ms/);
    expect(outcome.sustainable).toBeNull();
    expect(outcome.results.verdict).toBe('fail');
    expect(outcome.results.checks[0]!.measured).toMatch(/no step passed/);
  }, 120_000);
});
