import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type {
  Check,
  LatencySummary,
  LoadStep,
  MetricsSample,
  RunIdentity,
  RunResults,
} from '../../harness/results/types.js';

/**
 * Run results built in code for the report tests (unit and browser): a passing replay run and a
 * failing load run with a book mismatch, differences, digests, load steps and a metrics timeline.
 * The failing run also carries hostile text (HTML, script tags, control characters) in places a
 * tape or journal can put it.
 */

export const HOSTILE_HEADER = '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2">';
export const HOSTILE_TITLE = 'Books equal the reference | "quoted" & <b>bold</b>';
export const HOSTILE_LINE = '8,AAPL,B,585.32,18,1,4,09:30:00.004260,2012-06-21,\u0001</script><!--';

function latency(name: string, scale: number): LatencySummary {
  return {
    name,
    count: 120_000,
    p50Ms: 0.4 * scale,
    p99Ms: 2.5 * scale,
    p999Ms: 4.1 * scale,
    maxMs: 9.75 * scale,
    buckets: [
      { leMs: 0.5, count: Math.round(61_000 / scale) },
      { leMs: 1, count: 40_000 },
      { leMs: 2.5, count: 17_000 },
      { leMs: 5, count: 1_880 },
      { leMs: 10 * scale, count: 120 },
    ],
  };
}

function identity(overrides: Partial<RunIdentity> = {}): RunIdentity {
  return {
    id: '2026-11-24T10-00-00Z-aapl',
    command: 'l2h replay --tape fixtures/aapl-2012-06-21.tape.gz --out runs/aapl',
    startedAt: '2026-11-24T10:00:00.000Z',
    durationMs: 83_456,
    tape: {
      path: 'fixtures/aapl-2012-06-21.tape.gz',
      sha256: 'sha256:9f2c4e1b7a0d5e3f8c6b2a1d0e9f8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f',
      lines: 120_000,
      headers: { l2tape: '1', source: 'lobster AAPL 2012-06-21 level 10', date: '2012-06-21', l2: 'mbp' },
    },
    scenario: null,
    seed: 42,
    config: {
      speed: 'max',
      sinks: ['jsonl', 'kafka', 'clickhouse'],
      depth: 10,
      kafka: { topics: { l2: 'iqfeed.l2' } },
    },
    versions: { 'l2-harness': '0.1.0', node: 'v20.20.2', clickhouse: '18.16.1' },
    machine: { cpus: 2, memoryMb: 24_576, os: 'linux 6.1 (Debian 12)', hostname: 'ci-runner-1' },
    services: { clickhouse: 'local 18.16.1', kafka: 'librdkafka mock 2.0.2', redis: 'not used' },
    ...overrides,
  };
}

export function passingChecks(): Check[] {
  return [
    {
      id: 'zero-loss.journal-vs-simulator',
      group: 'zero-loss',
      title: 'The journal holds every line the simulator sent, byte for byte, in order',
      threshold: 'lost = 0, reordered = 0, altered = 0',
      measured: 'lost = 0, reordered = 0, altered = 0 of 120,000 lines',
      pass: true,
      evidence: { counts: { sent: 120_000, journaled: 120_000, lost: 0, reordered: 0, altered: 0 } },
    },
    {
      id: 'zero-loss.sinks-have-every-seq',
      group: 'zero-loss',
      title: 'Every data message is in every sink by its seq',
      threshold: 'missing = 0 per sink',
      measured: 'missing = 0 in jsonl, kafka, clickhouse',
      pass: true,
      evidence: {
        counts: { 'jsonl.missing': 0, 'kafka.missing': 0, 'clickhouse.missing': 0, 'kafka.duplicates': 12 },
      },
    },
    {
      id: 'books.reference',
      group: 'books',
      title: 'Every L2 record equals the reference book',
      threshold: 'mismatches = 0',
      measured: '0 mismatches in 80,000 L2 messages',
      pass: true,
      evidence: { counts: { compared: 80_000, mismatches: 0 } },
    },
    {
      id: 'consistency.jsonl-kafka',
      group: 'consistency',
      title: 'JSONL and Kafka hold the same records',
      threshold: 'digests equal per symbol and kind',
      measured: '3 of 3 digests equal',
      pass: true,
      evidence: {
        digests: {
          'jsonl/AAPL/l2': 'sha256:aa11',
          'kafka/AAPL/l2': 'sha256:aa11',
          'jsonl/AAPL/l1': 'sha256:bb22',
          'kafka/AAPL/l1': 'sha256:bb22',
          'jsonl/AAPL/ticks': 'sha256:cc33',
          'kafka/AAPL/ticks': 'sha256:cc33',
        },
        files: ['consistency/jsonl-kafka.json'],
      },
    },
  ];
}

/** A metrics timeline of `n` one-second samples; series values never cross, so charts are readable. */
export function metricsSamples(n: number): MetricsSample[] {
  const out: MetricsSample[] = [];
  for (let t = 1; t <= n; t++) {
    out.push({
      t,
      rates: {
        'feed.L1': 1_000 + 10 * t,
        'feed.L2': 3_000 + 20 * t,
        journal: 4_500 + 30 * t,
        'sink.jsonl': 6_000 + 40 * t,
      },
      lag: { 'sink.jsonl': 5 + (t % 3), 'sink.kafka': 40 + 2 * t, 'sink.clickhouse': 200 + 5 * t },
      queues: { 'sink.kafka': t },
      rssMb: { collector: 120 + t / 10 },
    });
  }
  return out;
}

export function passingRun(): RunResults {
  return {
    schema: 'l2h.results/1',
    verdict: 'pass',
    run: identity(),
    checks: passingChecks(),
    latency: [latency('feed→journal', 1), latency('journal→jsonl', 2)],
    messageMix: {
      'L1/P': 9_000,
      'L1/Q': 31_000,
      'L2/0': 250,
      'L2/3': 30_000,
      'L2/4': 29_000,
      'L2/6': 600,
      'L2/T': 1_150,
    },
    load: null,
    metricsFile: 'metrics.jsonl',
  };
}

export const FAILING_BOOK_CHECK = 'books.reference';

export function loadSteps(): LoadStep[] {
  return [10_000, 20_000, 40_000, 80_000].map((offeredRate, i) => ({
    offeredRate,
    achievedRate: i < 3 ? offeredRate : 61_500,
    lost: i < 3 ? 0 : 1_234,
    duplicated: i === 2 ? 3 : 0,
    latency: [
      { ...latency('feed→journal', 1 + i), p99Ms: 1.5 * (i + 1) },
      { ...latency('journal→jsonl', 1 + i), p99Ms: 3 * (i + 1) ** 2 },
    ],
    pass: i < 3,
    reason: i < 3 ? null : 'lost 1,234 messages; p99 journal→jsonl 48 ms > 20 ms',
  }));
}

export function failingRun(): RunResults {
  const checks = passingChecks();
  checks[0] = {
    ...checks[0]!,
    measured: 'lost = 2, reordered = 0, altered = 1 of 120,000 lines',
    pass: false,
    evidence: {
      counts: { sent: 120_000, journaled: 119_998, lost: 2, reordered: 0, altered: 1 },
      differences: [
        {
          where: 'connection L2#1 line 88',
          expected: '3,AAPL,B,585.33,18,1,4,09:30:00.004241,2012-06-21,',
          actual: null,
        },
        {
          where: 'connection L2#1 line 89',
          expected: '4,AAPL,A,585.94,200,1,4',
          actual: '4,AAPL,A,585.94,100,1,4',
        },
      ],
      files: ['journal/default/journal-000001.tape', 'zero-loss/missing lines.txt'],
    },
  };
  checks[2] = {
    ...checks[2]!,
    title: HOSTILE_TITLE,
    measured: '3 mismatches in 80,000 L2 messages',
    pass: false,
    evidence: {
      counts: { compared: 80_000, mismatches: 3 },
      differences: [
        { where: 'seq 1234 AAPL l2', expected: 'bid L2 585.31 x 40', actual: 'bid L2 585.31 x 20' },
      ],
      bookDiff: {
        symbol: 'AAPL',
        seq: 1234,
        line: HOSTILE_LINE,
        expected: {
          bids: [
            { price: 585.33, size: 18 },
            { price: 585.32, size: 40 },
            { price: 585.31, size: 7 },
          ],
          asks: [
            { price: 585.94, size: 200 },
            { price: 585.95, size: 100 },
          ],
        },
        actual: {
          bids: [
            { price: 585.33, size: 18 },
            { price: 585.32, size: 20 },
          ],
          asks: [
            { price: 585.94, size: 200 },
            { price: 585.96, size: 100 },
          ],
        },
      },
      files: ['books/first-mismatch.json'],
      details: { note: '<i>not html</i>', firstMismatchSeqs: [1234, 1240, 1302] },
    },
  };
  checks.push({
    id: 'load.max-rate',
    group: 'load',
    title: 'No loss and p99 ≤ 20 ms up to 80,000 msgs/s',
    threshold: 'lost = 0 and p99 journal→jsonl ≤ 20 ms at every step',
    measured: 'step 80,000 msgs/s: lost 1,234, p99 48 ms',
    pass: false,
    evidence: { counts: { steps: 4, failedSteps: 1 } },
  });
  return {
    schema: 'l2h.results/1',
    verdict: 'fail',
    run: identity({
      id: 'load-<run>&1',
      command: 'l2h load --tape fixtures/aapl.tape.gz --out runs/load',
      scenario: 'load ramp ×2',
      tape: {
        ...identity().tape!,
        headers: { l2tape: '1', source: HOSTILE_HEADER, symbols: 'AAPL' },
      },
    }),
    checks,
    latency: [latency('feed→journal', 1), latency('journal→jsonl', 4)],
    messageMix: { 'L2/3': 500, 'L2/4': 450, 'L1/Q': 900 },
    load: loadSteps(),
    metricsFile: 'metrics.jsonl',
  };
}

/** Writes a run directory: results.json, metrics.jsonl and the evidence files that exist. */
export async function writeRunDir(
  dir: string,
  results: RunResults,
  samples: readonly MetricsSample[],
  options: { readonly omitFiles?: readonly string[] } = {},
): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  if (results.metricsFile !== null) {
    await writeFile(join(dir, results.metricsFile), samples.map((s) => `${JSON.stringify(s)}\n`).join(''));
  }
  for (const check of results.checks) {
    for (const file of check.evidence.files ?? []) {
      if (options.omitFiles?.includes(file)) continue;
      await mkdir(dirname(join(dir, file)), { recursive: true });
      await writeFile(join(dir, file), `evidence of ${check.id}\n`);
    }
  }
}
