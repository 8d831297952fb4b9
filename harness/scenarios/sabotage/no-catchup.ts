/**
 * Preloaded into the collector (`node --import`) by the slow-sink sabotage, never in a real run:
 * a sink whose queue overflows drops what the queue held and stays in live mode, instead of
 * catching up from the journal, so the scenario can show its loss check catches it.
 */
import { SinkRunner } from '../../../collector/sinks/runner.js';

type Patchable = Record<string, unknown>;
const proto = SinkRunner.prototype as unknown as Patchable;
if (typeof proto['overflow'] !== 'function') throw new Error('sabotage: SinkRunner.overflow not found');
proto['overflow'] = function (this: Patchable): void {
  const queue = this['queue'] as { clear(): void } | undefined;
  if (!queue || typeof queue.clear !== 'function') throw new Error('sabotage: SinkRunner.queue not found');
  queue.clear();
};
