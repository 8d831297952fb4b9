import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CollectorHandle } from '../../../collector/pipeline/collector.js';
import type { Channel } from '../../../collector/protocol/channel.js';
import { type SimulatorHandle, type SimulatorOptions, startSimulator } from '../../../simulator/index.js';

export async function tempDir(prefix: string): Promise<{ path: string; cleanup: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), `l2h-${prefix}-`));
  return { path, cleanup: () => rm(path, { recursive: true, force: true }) };
}

export type TapeBody = readonly (readonly [offsetUs: number, channel: Channel, line: string])[];

/** A tape (CONTRACTS §1) written by hand. */
export async function writeTape(
  dir: string,
  headers: Readonly<Record<string, string>>,
  body: TapeBody,
): Promise<string> {
  let text = '#l2tape 1\n';
  for (const [k, v] of Object.entries(headers)) text += `#${k} ${v}\n`;
  for (const [offset, channel, line] of body) text += `${offset}\t${channel}\t${line}\n`;
  const path = join(dir, `tape-${Math.random().toString(36).slice(2)}.tape`);
  await writeFile(path, text, 'latin1');
  return path;
}

/** A simulator on free ports replaying as fast as the collector reads, once every symbol is watched. */
export function startSim(tape: string, options: Partial<SimulatorOptions> = {}): Promise<SimulatorHandle> {
  const pacing = options.rate === undefined ? { speed: 'max' as const } : {};
  return startSimulator({
    tape,
    ports: { L1: 0, L2: 0, ADMIN: 0 },
    ...pacing,
    start: 'all-watched',
    ...options,
  });
}

/** Poll a condition with a deadline (no fixed sleeps). */
export async function until(cond: () => boolean, what: string, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/**
 * Wait until the simulator has sent its whole tape and the collector has journaled every L1 and L2
 * line the simulator sent so far (lines after the tape, like synthesized T lines, may follow);
 * `before` counts what the collector journaled from earlier simulators.
 */
export async function untilCaughtUp(
  sim: SimulatorHandle,
  collector: CollectorHandle,
  before: { readonly L1: number; readonly L2: number } = { L1: 0, L2: 0 },
  ms = 60_000,
): Promise<void> {
  await sim.tapeEnd;
  const sent = sim.stats().channels;
  await until(
    () => {
      const got = collector.status().totals.lines;
      return got.L1 >= before.L1 + sent.L1.lines && got.L2 >= before.L2 + sent.L2.lines;
    },
    `the collector to journal ${sent.L1.lines} L1 and ${sent.L2.lines} L2 lines`,
    ms,
  );
}

/** A port nothing listens on: a collector given it starts and keeps retrying its feed. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}
