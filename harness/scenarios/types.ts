/**
 * A named, seeded scenario: what `l2h replay --scenario NAME` runs and `l2h scenarios` lists.
 * Each has a CI size (fast: well under a minute here) and a full size (`--full`), and records in
 * the run's results what was injected, what the collector did and what the verification found
 * (checks of group `scenario`).
 */
import type { Logger } from '../../common/logger.js';
import type { ReplayOutcome } from '../replay/replay.js';

export interface ScenarioRunOptions {
  /** The run directory to create. */
  readonly out: string;
  /** Full size instead of CI size. */
  readonly full: boolean;
  /** Overrides the scenario's own seed. */
  readonly seed?: number;
  readonly logger: Logger;
  /** How the run was started, for the results. */
  readonly command: string;
  /** A tape to use instead of the scenario's generated one (its size then is the tape's). */
  readonly tape?: string;
  /**
   * Turn the collector's recovery off the way the scenario's test does, to show that the
   * scenario's verification fails without it (never for a real run).
   */
  readonly sabotage?: boolean;
  /** Parameters to change from the chosen size (tests run smaller sabotaged runs). */
  readonly size?: Readonly<Record<string, number>>;
  /** Give up when the replay takes longer than this (default: the scenario's own bound). */
  readonly timeoutMs?: number;
}

export interface Scenario {
  readonly name: string;
  /** One line for `l2h scenarios`. */
  readonly description: string;
  readonly seed: number;
  /** The parameters at CI size and at full size, as shown by `l2h scenarios --json`. */
  readonly ci: Readonly<Record<string, number | string>>;
  readonly full: Readonly<Record<string, number | string>>;
  /** What recovery `sabotage` turns off, and how (for the tests and the README). */
  readonly sabotage: string;
  /** Services the scenario needs beyond local files (`clickhouse`, `kafka`). */
  readonly needs: readonly string[];
  run(options: ScenarioRunOptions): Promise<ReplayOutcome>;
}
