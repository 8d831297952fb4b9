import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchTape } from '../bench-tape.js';
import { type BenchFigure, figure } from '../figure.js';
import { runPipeline } from '../pipeline-run.js';
import type { BenchSuite } from '../suite.js';

/**
 * Peak memory of the collector over a whole 10M-line day (200k with --quick) replayed at
 * `--speed max` with the JSONL sink: the kernel's high-water mark (VmHWM), so a short peak
 * between samples is not missed. Baseline in the same run: the simulator's peak over the same
 * day (it holds the same symbols' state and reads the same tape), so a ratio survives a machine
 * whose allocator or page size differs. Target ≤ 300 MB.
 */
export const daySuite: BenchSuite = {
  name: 'day',
  description: 'peak RSS of the collector over a 10M-line day (JSONL, --speed max)',
  async run(context): Promise<readonly BenchFigure[]> {
    const lines = context.quick ? 200_000 : 10_000_000;
    const tape = await benchTape(context.cacheDir, lines, context.log);
    const dir = await mkdtemp(join(tmpdir(), 'l2h-bench-day-'));
    try {
      const r = await runPipeline({
        tape,
        dir,
        sinks: ['jsonl'],
        cpuProfDir: context.cpuProfDir,
        timeoutMs: 1_800_000,
      });
      context.log(
        `${r.lines} lines: collector peak RSS ${r.peakRssMb.collector} MB, simulator ${r.peakRssMb.simulator} MB; ` +
          `${Math.round(r.linesPerSecond)} msgs/s; CPU s collector ${r.cpuSeconds.collector}`,
      );
      const label = lines >= 1e6 ? `${lines / 1e6}M` : String(lines);
      return [
        figure({
          name: `collector peak RSS over a ${label}-line day`,
          value: r.peakRssMb.collector,
          unit: 'MB',
          better: 'lower',
          baseline: { name: 'simulator peak RSS, same day, same run', value: r.peakRssMb.simulator },
          target: { op: '<=', value: 300 },
          note: `VmHWM; ${r.lines} lines journaled`,
        }),
        figure({
          name: `end-to-end replay over a ${label}-line day, JSONL only`,
          value: Math.round(r.linesPerSecond),
          unit: 'msgs/s',
          note: `steady window ${r.seconds.toFixed(1)} s; CPU s collector ${r.cpuSeconds.collector}, simulator ${r.cpuSeconds.simulator}`,
        }),
      ];
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },
};
