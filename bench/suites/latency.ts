import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../../common/logger.js';
import { FEED_TO_JOURNAL, runStep } from '../../harness/load/step.js';
import type { LatencySummary } from '../../harness/results/types.js';
import { benchTape } from '../bench-tape.js';
import { type BenchFigure, figure } from '../figure.js';
import type { BenchSuite } from '../suite.js';

/**
 * Latency at fixed paced rates (1k, 10k, 50k msgs/s), each a verified `l2h load` step
 * (harness/load/step.ts) with the JSONL sink:
 * - feed→journal: from the simulator's schedule to the collector's journal, measured from the
 *   journal's receive times (exact percentiles over every L2 line);
 * - journal→jsonl: the collector's own histogram (append → durable in the file);
 * - feed→JSONL p99 is bounded by the sum of the two p99s (the target: ≤ 5 ms at 10k msgs/s).
 * The same path at 1k msgs/s in the same run is the baseline of the faster rates: the ratio says
 * how much load alone adds.
 */

const RATES = [1_000, 10_000, 50_000] as const;

export const latencySuite: BenchSuite = {
  name: 'latency',
  description: 'latency p50/p99/p99.9 feed→journal and journal→jsonl at 1k, 10k and 50k msgs/s paced',
  async run(context): Promise<readonly BenchFigure[]> {
    const seconds = context.quick ? 1 : 5;
    const tape = await benchTape(context.cacheDir, context.quick ? 200_000 : 1_000_000, context.log);
    const dir = await mkdtemp(join(tmpdir(), 'l2h-bench-latency-'));
    const figures: BenchFigure[] = [];
    const base: Record<string, LatencySummary> = {};
    try {
      await mkdir(join(dir, 'tapes'));
      // --quick keeps the rate the target is set at (10k) and its baseline, not the 50k overload.
      const rates = context.quick ? RATES.slice(0, 2) : RATES;
      for (const [i, rate] of rates.entries()) {
        const o = await runStep({
          index: i,
          rate,
          seconds,
          tape,
          dir: join(dir, `step-${rate}`),
          relDir: `step-${rate}`,
          tapeDir: join(dir, 'tapes'),
          keepTape: false,
          sinks: ['jsonl'],
          depth: 10,
          seed: 1,
          bounds: { feedP99Ms: Number.POSITIVE_INFINITY, sinkP99Ms: Number.POSITIVE_INFINITY },
          logger: silentLogger,
          command: 'npm run bench -- --suite latency',
        });
        const s = o.step;
        if (s.lost > 0 || s.duplicated > 0 || o.results === null) {
          throw new Error(`latency step at ${rate} msgs/s did not run cleanly: ${s.reason ?? 'no results'}`);
        }
        const k = `${rate / 1000}k`;
        for (const l of s.latency) {
          context.log(
            `${k}/s ${l.name}: p50 ${l.p50Ms} ms, p99 ${l.p99Ms} ms, p99.9 ${l.p999Ms} ms, max ${l.maxMs} ms (${l.count} samples)`,
          );
          const b = base[l.name];
          if (i === 0) base[l.name] = l;
          const exact = l.name === FEED_TO_JOURNAL;
          for (const [q, v, bv] of [
            ['p50', l.p50Ms, b?.p50Ms],
            ['p99', l.p99Ms, b?.p99Ms],
            ...(exact ? [['p99.9', l.p999Ms, b?.p999Ms] as const] : []),
          ] as const) {
            figures.push(
              figure({
                name: `${l.name} ${q} at ${k} msgs/s`,
                value: v,
                unit: 'ms',
                better: 'lower',
                ...(bv !== undefined && bv > 0
                  ? { baseline: { name: `same path at 1k msgs/s`, value: bv } }
                  : {}),
                note: exact
                  ? 'exact, over every L2 line, above the fastest line'
                  : "collector's histogram: bucket upper bound, ≤ 25 % above the truth",
              }),
            );
          }
        }
        const feed = s.latency.find((l) => l.name === FEED_TO_JOURNAL);
        const jsonl = s.latency.find((l) => l.name === 'journal→jsonl');
        if (feed && jsonl) {
          figures.push(
            figure({
              name: `feed→JSONL p99 bound (sum of stage p99s) at ${k} msgs/s`,
              value: Math.round((feed.p99Ms + jsonl.p99Ms) * 1000) / 1000,
              unit: 'ms',
              better: 'lower',
              ...(rate === 10_000 ? { target: { op: '<=', value: 5 } as const } : {}),
              note: `achieved ${s.achievedRate} msgs/s over ${seconds} s; CPU% ${JSON.stringify(o.check.evidence.details?.['cpuPercent'] ?? {})}`,
            }),
          );
        }
      }
      return figures;
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },
};
