import { join } from 'node:path';

/** Where things live in a run directory (CONTRACTS §4). One place, so every part agrees. */
export function runPaths(dir: string) {
  return {
    dir,
    run: join(dir, 'run.json'),
    config: join(dir, 'config.json'),
    results: join(dir, 'results.json'),
    metrics: join(dir, 'metrics.jsonl'),
    simulatorDir: join(dir, 'simulator'),
    simulatorStats: join(dir, 'simulator', 'stats.json'),
    simulatorLog: join(dir, 'simulator', 'simulator.log'),
    collectorDir: join(dir, 'collector'),
    collectorStatus: join(dir, 'collector', 'status.json'),
    collectorLog: join(dir, 'collector', 'collector.log'),
    journal: join(dir, 'journal'),
    data: join(dir, 'data'),
    report: join(dir, 'report'),
  } as const;
}

export type RunPaths = ReturnType<typeof runPaths>;
