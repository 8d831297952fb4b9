/**
 * The feed against the real simulator (`simulator/index.ts`), from a small tape written here:
 * the handshake is accepted on every port, the watched symbols' lines arrive, and what the
 * simulator says it sent per connection is exactly what the feed handed on (same lines, same
 * digest).
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createFeed, DEFAULT_L1_FIELDS, resolveFeedOptions } from '../../../collector/feed/index.js';
import { systemClock } from '../../../common/clock.js';
import { silentLogger } from '../../../common/logger.js';
import { type SimulatorHandle, startSimulator } from '../../../simulator/index.js';
import { Recorder, waitFor } from './helpers.js';

const dirs: string[] = [];
const sims: SimulatorHandle[] = [];
afterEach(async () => {
  for (const s of sims.splice(0)) await s.stop();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const D = '09:30:00.000100,2022-04-01,';
// The collector's 20 fields, so the simulator's re-projection is the identity.
const Q = (contents: string, last: string, bid: string, tick: number, type = 'Q'): string =>
  `${type},AAPL,${last},100,09:30:00.000100,11,5000,${bid},300,134.65,700,134.50,134.70,134.40,134.00,${contents},01,${tick},09:30:00.000100,09:30:00.000100,04/01/2022,`;

const BODY: readonly (readonly [number, 'L1' | 'L2' | 'ADMIN', string])[] = [
  [0, 'L1', `S,CURRENT UPDATE FIELDNAMES,${DEFAULT_L1_FIELDS.join(',')}`],
  [0, 'L1', Q('Cbaohlcv', '134.62', '134.61', 1, 'P')],
  [0, 'L2', `7,AAPL,B,134.6100,300,1,4,${D}`],
  [0, 'L2', `7,AAPL,A,134.6500,700,3,4,${D}`],
  [0, 'L2', `6,MSFT,648907593934,,B,250.10,100,12440218202,2,${D}`],
  [1000, 'L2', `8,AAPL,B,134.6200,50,1,4,${D}`],
  [1000, 'L1', Q('b', '134.62', '134.62', 1)],
  [2000, 'L2', `3,MSFT,648907593936,,A,250.20,10,12440218204,2,${D}`],
  [2000, 'L1', Q('C', '134.63', '134.62', 2)],
  [3000, 'L2', `9,AAPL,A,134.6500,${D}`],
];

function writeTape(): string {
  const dir = mkdtempSync(join(tmpdir(), 'l2h-feed-'));
  dirs.push(dir);
  let text = '#l2tape 1\n#symbols AAPL,MSFT\n#l2 AAPL=mbp,MSFT=mbo\n#date 2022-04-01\n';
  for (const [us, ch, line] of BODY) text += `${us}\t${ch}\t${line}\n`;
  const path = join(dir, 'small.tape');
  writeFileSync(path, text, 'latin1');
  return path;
}

const digest = (lines: readonly string[]): string => {
  const h = createHash('sha256');
  for (const l of lines) h.update(`${l}\n`, 'latin1');
  return h.digest('hex');
};

describe('feed against the simulator', () => {
  it('completes the handshake, receives the watched symbols, and loses nothing the simulator sent', async () => {
    const sim = await startSimulator({
      tape: writeTape(),
      ports: { L1: 0, L2: 0, ADMIN: 0 },
      // The replay starts once every tape symbol is watched on L1 and L2: the feed's watches.
      start: 'all-watched',
      speed: 'max',
    });
    sims.push(sim);
    const options = resolveFeedOptions({
      symbols: ['AAPL', 'MSFT'],
      family: { MSFT: 'mbo' },
      ports: sim.ports,
    });
    const rec = new Recorder();
    const feed = createFeed(options, rec, { clock: systemClock, logger: silentLogger, random: Math.random });
    await feed.start();
    await sim.tapeEnd;
    const sent = (): Map<string, number> => new Map(sim.stats().connections.map((c) => [c.channel, c.lines]));
    await waitFor(
      () => (['L1', 'L2'] as const).every((ch) => rec.linesOf(ch).length === sent().get(ch)),
      'every line sent on L1 and L2',
    );

    const l1 = rec.linesOf('L1');
    const l2 = rec.linesOf('L2');
    expect(rec.errors()).toEqual([]);
    expect(l1).toContain('S,CURRENT PROTOCOL,6.2,');
    expect(l1).toContain(`S,CURRENT UPDATE FIELDNAMES,${DEFAULT_L1_FIELDS.join(',')}`);
    expect(l1.filter((l) => l.startsWith('Q,AAPL'))).toEqual([
      Q('b', '134.62', '134.62', 1),
      Q('C', '134.63', '134.62', 2),
    ]);
    expect(l1.some((l) => l.startsWith('P,AAPL,'))).toBe(true);
    expect(l1.some((l) => l.startsWith('n,'))).toBe(false);
    expect(l2).toContain('S,CURRENT PROTOCOL,6.2,');
    expect(l2.filter((l) => /^[3-9],/.test(l))).toEqual(
      expect.arrayContaining([
        `8,AAPL,B,134.6200,50,1,4,${D}`,
        `3,MSFT,648907593936,,A,250.20,10,12440218204,2,${D}`,
        `9,AAPL,A,134.6500,${D}`,
      ]),
    );
    expect(l2.some((l) => l.startsWith('q,') || l.startsWith('n,'))).toBe(false);
    expect(feed.ports().map((p) => [p.channel, p.connected, p.error])).toEqual([
      ['L1', true, null],
      ['L2', true, null],
      ['ADMIN', true, null],
    ]);
    expect(feed.ports()[0].serverConnected).toBe(true);

    await feed.stop();
    const stats = await sim.stop();
    for (const c of stats.connections) {
      if (c.channel === 'ADMIN') continue;
      expect(rec.linesOf(c.channel), `${c.channel} lines`).toHaveLength(c.lines);
      expect(digest(rec.linesOf(c.channel)), `${c.channel} digest`).toBe(c.sha256Lines);
    }
    expect(rec.events().map((e) => `${e.channel}:${e.event}:${e.reason}`)).toEqual(
      expect.arrayContaining([
        'L1:connect:null',
        'L2:connect:null',
        'L1:disconnect:stop',
        'L2:disconnect:stop',
      ]),
    );
  });
});
