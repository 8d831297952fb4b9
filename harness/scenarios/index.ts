/**
 * The scenario registry: `l2h scenarios` lists it, `l2h replay --scenario NAME` runs from it.
 * A new scenario is one file here and one entry in SCENARIOS.
 */
import { usageError } from '../../common/errors.js';
import { crashRestart } from './crash-restart.js';
import { disconnectStorm } from './disconnect-storm.js';
import { hostileFeed } from './hostile-feed.js';
import { sinkOutage } from './sink-outage.js';
import { slowSink } from './slow-sink.js';
import type { Scenario } from './types.js';

export type { ReplayControl, ReplayHooks } from './hooks.js';
export type { Scenario, ScenarioRunOptions } from './types.js';

export const SCENARIOS: readonly Scenario[] = [
  disconnectStorm,
  crashRestart,
  hostileFeed,
  sinkOutage,
  slowSink,
];

export function findScenario(name: string): Scenario {
  const s = SCENARIOS.find((x) => x.name === name.trim());
  if (s === undefined) {
    throw usageError(
      `unknown scenario ${JSON.stringify(name)}`,
      `accepted: ${SCENARIOS.map((x) => x.name).join(', ')} (l2h scenarios lists them)`,
    );
  }
  return s;
}
