/**
 * What a scenario may do inside `runReplay` (harness/replay/replay.ts): act while the tape
 * replays (kill and restart the collector, pause a service), decide when the collector has
 * journaled everything it will get, name the connections it cut short on purpose, and add its
 * own checks. `runReplay` calls these at fixed points; without hooks it behaves as before.
 */
import { readFile } from 'node:fs/promises';
import type { CollectorStatus } from '../../collector/monitor/status.js';
import { L2hError } from '../../common/errors.js';
import type { Child } from '../replay/child.js';
import type { Check } from '../results/types.js';
import type { RunPaths } from '../run-dir.js';
import type { VerifyOutcome } from '../verify/verify-run.js';

export interface ReplayControl {
  readonly paths: RunPaths;
  readonly simulator: Child;
  /** The collector process running now (a new one after each restart). */
  collector(): Child;
  /** Kill the collector with SIGKILL (a crash) and wait until it is gone. */
  killCollector(): Promise<void>;
  /** Start the collector again with the replay's flags plus `extra` (e.g. `--session ID`). */
  restartCollector(extra?: readonly string[]): Child;
  /** The collector's status file, null while there is none (or it is half written). */
  readStatus(): Promise<CollectorStatus | null>;
  /** Whether the simulator reported the end of the tape. */
  tapeEnded(): boolean;
  /**
   * Rejects when the collector exits without a `killCollector` asking for it; never resolves
   * otherwise. `runReplay` races the replay against it.
   */
  unplannedExit(): Promise<never>;
}

/** What the simulator said it sent per channel when the tape ended. */
export type SentPerChannel = Readonly<Record<string, { readonly lines: number }>>;

export interface ReplayHooks {
  /** Runs from the collector's start until the tape ends; `runReplay` awaits it after tape-end. */
  duringReplay?(control: ReplayControl): Promise<void>;
  /**
   * Replaces the default wait after tape-end (journal totals ≥ lines sent), which cannot hold
   * when a fault or a crash lost lines on purpose.
   */
  afterTapeEnd?(control: ReplayControl, sent: SentPerChannel): Promise<void>;
  /** Connections (`L2#3`) whose journal may stop short of what was sent: a prefix is checked. */
  truncatedAllowed?(control: ReplayControl): Promise<ReadonlySet<string>>;
  /** The scenario's own checks, after the standard verifications. */
  extraChecks?(control: ReplayControl, outcome: VerifyOutcome): Promise<readonly Check[]>;
}

export interface ControlParts {
  readonly paths: RunPaths;
  readonly simulator: Child;
  readonly current: () => Child;
  readonly spawn: (extra: readonly string[]) => Child;
}

/** The control a replay hands its hooks, over the replay's own collector spawning. */
export function replayControl(parts: ControlParts): ReplayControl {
  const planned = new WeakSet<Child>();
  const readStatus = async (): Promise<CollectorStatus | null> => {
    try {
      return JSON.parse(await readFile(parts.paths.collectorStatus, 'utf8')) as CollectorStatus;
    } catch {
      return null;
    }
  };
  return {
    paths: parts.paths,
    simulator: parts.simulator,
    collector: parts.current,
    async killCollector() {
      const c = parts.current();
      planned.add(c);
      c.proc.kill('SIGKILL');
      await c.exited;
    },
    restartCollector(extra = []) {
      return parts.spawn(extra);
    },
    readStatus,
    tapeEnded: () => parts.simulator.events.some((e) => e['event'] === 'tape-end'),
    async unplannedExit(): Promise<never> {
      for (;;) {
        const c = parts.current();
        const r = await c.exited;
        if (!planned.has(c)) {
          throw new L2hError(`the collector exited during the replay (code ${r.code}, signal ${r.signal})`, {
            code: 'INTERNAL',
            context: { log: parts.paths.collectorLog },
          });
        }
        // Killed on purpose: wait for the scenario to start the next one.
        while (parts.current() === c) await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
  };
}
