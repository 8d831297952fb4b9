/**
 * How the collector's process runs V8's young-generation collector (the scavenger).
 *
 * By default V8 scavenges on the main thread and helper threads together. At full rate the
 * collector allocates well over 100 MB/s of short-lived objects, so scavenges are frequent; on a
 * machine with two cores or fewer the helpers take those cores from the work the collector waits
 * on (its sinks' servers, the feed's own process), and splitting each scavenge costs more CPU than
 * it saves. Measured with the `e2e-sinks` bench's day, JSONL + ClickHouse + Kafka, on 2 cores:
 * the collector's CPU per line fell from 13.4–14.1 µs to 12.7–13.5 and the run's wall time by
 * ~5 % (3 interleaved pairs). With more cores the helpers shorten the main thread's pauses, which
 * is what bounds the collector there, so they are kept.
 *
 * `--no-parallel-scavenge` is one of the V8 flags read at each scavenge, so setting it at start-up
 * (before the feed connects) takes effect; flags that change GC threads themselves
 * (`--single-threaded-gc`) cannot be changed once V8 runs and crash it.
 */
import { availableParallelism } from 'node:os';
import { setFlagsFromString } from 'node:v8';

export interface GcChoice {
  readonly parallelScavenge: boolean;
  readonly cores: number;
}

/** Scavenge with helper threads only where there are cores to spare. */
export function gcChoiceFor(cores: number): GcChoice {
  return { parallelScavenge: cores > 2, cores };
}

/** Apply `gcChoiceFor` to this process; call once, at start-up. */
export function tuneGc(cores: number = availableParallelism()): GcChoice {
  const choice = gcChoiceFor(cores);
  if (!choice.parallelScavenge) setFlagsFromString('--no-parallel-scavenge');
  return choice;
}
