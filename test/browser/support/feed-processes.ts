/**
 * `l2h simulate` and `l2h collect --monitor` as processes: start them, read what they say on
 * stdout (ports, monitor URL, the simulator's per-channel line totals), end the simulator.
 */
import { connect } from 'node:net';
import { join } from 'node:path';
import type { CliProcess, ProcessGroup } from './processes.js';

export type FeedChannel = 'L1' | 'L2' | 'ADMIN';
export type ChannelCounts = Readonly<Record<FeedChannel, number>>;

const CHANNELS: readonly FeedChannel[] = ['L1', 'L2', 'ADMIN'];
const START_TIMEOUT_MS = 15_000;

export interface Simulator {
  readonly proc: CliProcess;
  readonly ports: ChannelCounts;
}

export interface SimulatorOptions {
  readonly tape: string;
  /** Listen on these ports (a restart on the same ports); free ones when omitted. */
  readonly ports?: ChannelCounts;
  /** Pacing and other flags, e.g. `['--speed', '1']`. */
  readonly args?: readonly string[];
}

export async function startSimulator(group: ProcessGroup, o: SimulatorOptions): Promise<Simulator> {
  const p = o.ports;
  const proc = group.cli('simulator', [
    'simulate',
    '--tape',
    o.tape,
    '--port-l1',
    String(p?.L1 ?? 0),
    '--port-l2',
    String(p?.L2 ?? 0),
    '--port-admin',
    String(p?.ADMIN ?? 0),
    '--log-level',
    'warn',
    ...(o.args ?? []),
  ]);
  const ready = await proc.waitForEvent('ready', START_TIMEOUT_MS);
  return { proc, ports: channelCounts(ready.ports, 'simulator ready.ports') };
}

/**
 * `S,L2H END` on the admin port: the simulator flushes what it queued, closes its connections,
 * prints its final stats and exits. Returns the lines it sent per channel, over all connections.
 */
export async function endSimulator(sim: Simulator): Promise<ChannelCounts> {
  await new Promise<void>((resolve, reject) => {
    const socket = connect(sim.ports.ADMIN, '127.0.0.1', () => {
      socket.end('S,L2H END\r\n');
    });
    socket.on('error', reject);
    socket.on('close', () => resolve());
    // Whatever the admin port says before it closes is not needed here.
    socket.resume();
  });
  const stats = await sim.proc.waitForEvent('stats', 10_000);
  await sim.proc.exited;
  return sentLines(stats);
}

/** Per-channel line totals from a `tape-end` or `stats` event. */
export function sentLines(event: Readonly<Record<string, unknown>>): ChannelCounts {
  const channels = event.channels;
  if (typeof channels !== 'object' || channels === null) {
    throw new Error(`simulator ${String(event.event)} event has no "channels": ${JSON.stringify(event)}`);
  }
  const out: Record<FeedChannel, number> = { L1: 0, L2: 0, ADMIN: 0 };
  for (const ch of CHANNELS) {
    const lines = (channels as Record<string, { lines?: unknown } | undefined>)[ch]?.lines;
    if (typeof lines !== 'number') throw new Error(`simulator event: channels.${ch}.lines is not a number`);
    out[ch] = lines;
  }
  return out;
}

function channelCounts(value: unknown, what: string): ChannelCounts {
  const v = value as Record<string, unknown> | null;
  if (typeof v !== 'object' || v === null || CHANNELS.some((c) => typeof v[c] !== 'number')) {
    throw new Error(`${what} is not {L1,L2,ADMIN} numbers: ${JSON.stringify(value)}`);
  }
  return { L1: v.L1 as number, L2: v.L2 as number, ADMIN: v.ADMIN as number };
}

export interface Collector {
  readonly proc: CliProcess;
  /** `http://127.0.0.1:PORT/` */
  readonly monitorUrl: string;
  readonly sessionDir: string;
}

export interface CollectorOptions {
  readonly symbols: readonly string[];
  readonly ports: ChannelCounts;
  /** `--l2` value, e.g. `mbp` or `AAPL=mbp,MSFT=mbo`. */
  readonly l2: string;
  /** Private directory for the journal and the JSONL files. */
  readonly dir: string;
}

export async function startCollector(group: ProcessGroup, o: CollectorOptions): Promise<Collector> {
  const proc = group.cli('collector', [
    'collect',
    '--symbols',
    o.symbols.join(','),
    '--host',
    '127.0.0.1',
    '--port-l1',
    String(o.ports.L1),
    '--port-l2',
    String(o.ports.L2),
    '--port-admin',
    String(o.ports.ADMIN),
    '--l2',
    o.l2,
    '--sinks',
    'jsonl',
    '--data-dir',
    join(o.dir, 'data'),
    '--journal-dir',
    join(o.dir, 'journal'),
    '--monitor',
    '127.0.0.1:0',
    '--log-level',
    'warn',
  ]);
  const ready = await proc.waitForEvent('ready', START_TIMEOUT_MS);
  if (typeof ready.monitor !== 'string' || typeof ready.sessionDir !== 'string') {
    throw new Error(`collector ready line lacks monitor/sessionDir: ${JSON.stringify(ready)}`);
  }
  return { proc, monitorUrl: ready.monitor, sessionDir: ready.sessionDir };
}
