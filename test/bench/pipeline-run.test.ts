import { describe, expect, test } from 'vitest';
import { type StatusSnapshot, sinkLagOverRun, wholeRunRate } from '../../bench/pipeline-run.js';

function snap(atMs: number, head: number, sinks: Record<string, number>): StatusSnapshot {
  return {
    now: new Date(1_800_000_000_000 + atMs).toISOString(),
    totals: { lines: { L2: head } },
    journal: { headSeq: head },
    sinks: Object.entries(sinks).map(([name, lag]) => ({
      name,
      checkpointSeq: head - lag,
      mode: 'live',
      lag,
    })),
  };
}

describe('sinkLagOverRun', () => {
  test('max, p50 and p90 of each sink lag, and how long after the last line it caught up', () => {
    const snaps = [
      snap(0, 0, { jsonl: 0, kafka: 0 }), // before data: not counted
      snap(200, 1000, { jsonl: 10, kafka: 900 }),
      snap(400, 2000, { jsonl: 20, kafka: 1500 }),
      snap(600, 3000, { jsonl: 0, kafka: 2500 }), // the journal's last line
      snap(800, 3000, { jsonl: 0, kafka: 1000 }),
      snap(1600, 3000, { jsonl: 0, kafka: 0 }),
    ];
    const lag = sinkLagOverRun(snaps);
    expect(Object.keys(lag)).toEqual(['jsonl', 'kafka']);
    expect(lag.jsonl).toEqual({ max: 20, p50: 0, p90: 20, drainSeconds: 0, samples: 5 });
    expect(lag.kafka).toMatchObject({ max: 2500, p50: 1000, drainSeconds: 1, samples: 5 });
  });

  test('a sink that never caught up has no drain time', () => {
    const lag = sinkLagOverRun([snap(0, 10, { redis: 5 }), snap(200, 10, { redis: 3 })]);
    expect(lag.redis.max).toBe(5);
    expect(Number.isNaN(lag.redis.drainSeconds)).toBe(true);
  });
});

describe('wholeRunRate', () => {
  test('the last line over first journaled line → every sink durable at it, drain included', () => {
    const snaps = [
      snap(0, 0, { jsonl: 0, kafka: 0 }),
      snap(200, 1000, { jsonl: 0, kafka: 1000 }), // first line journaled
      snap(600, 3000, { jsonl: 0, kafka: 2000 }),
      snap(1000, 3000, { jsonl: 0, kafka: 500 }),
      snap(1200, 3000, { jsonl: 0, kafka: 0 }), // every sink durable at the last line
      snap(1400, 3000, { jsonl: 0, kafka: 0 }),
    ];
    expect(wholeRunRate(snaps)).toBe(3000);
  });

  test('0 when no sink ever reached the last line', () => {
    expect(wholeRunRate([snap(0, 10, { redis: 5 }), snap(200, 10, { redis: 3 })])).toBe(0);
    expect(wholeRunRate([])).toBe(0);
  });
});
