/**
 * kill -9 of the real collector process (`node dist/cli/main.js collect --sinks jsonl,redis`)
 * mid-replay, a restart on the same session, then the `redis` checks: re-delivered records are
 * refused by Redis (explicit stream IDs), nothing is missing, the latest state is current.
 * Needs the build (`npm run build`) and `redis` in the sink registry.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_L1_FIELDS } from '../../../../collector/feed/index.js';
import type { CollectorStatus } from '../../../../collector/monitor/status.js';
import { availableSinks } from '../../../../collector/sinks/registry.js';
import { l2hCliPath } from '../../../../common/cli-path.js';
import { buildExpectedIndex } from '../../../../harness/verify/expected-index.js';
import { redisChecks } from '../../../../harness/verify/sinks/redis-check.js';
import { type OwnRedis, ownRedis } from './own-redis.js';

const CLI = l2hCliPath();
const SYMBOLS = ['AAPL', 'MSFT'];
const MAXLEN = 150;
const T = '09:30:00.000100,2024-06-21,';

function tape(lines: number): string {
  const body: string[] = [`0\tL1\tS,CURRENT UPDATE FIELDNAMES,${DEFAULT_L1_FIELDS.join(',')}`];
  for (const [i, s] of SYMBOLS.entries())
    body.push(`0\tL2\t7,${s},B,${100 + i}.0000,100,1,4,${T}`, `0\tL2\t7,${s},A,${100 + i}.0500,100,1,4,${T}`);
  for (let i = 1; i <= lines; i++) {
    const s = SYMBOLS[i % 2]!;
    const bid = (100 + (i % 2) + (i % 9) / 100).toFixed(2);
    if (i % 5 === 0) {
      body.push(
        `${i * 1000}\tL1\tQ,${s},${bid},10,09:30:00.000100,11,${i},${bid},300,${(Number(bid) + 0.05).toFixed(2)},700,1,2,0.5,1,C,01,${i},09:30:00.000100,09:30:00.000100,06/21/2024,`,
      );
    } else {
      body.push(`${i * 1000}\tL2\t8,${s},B,${bid}00,${i},1,4,${T}`);
    }
  }
  return `#l2tape 1\n#symbols ${SYMBOLS.join(',')}\n#l2 mbp\n#date 2024-06-21\n${body.join('\n')}\n`;
}

async function until<T>(what: string, probe: () => Promise<T | null>, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe().catch(() => null);
    if (v !== null) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function lines(child: ChildProcess): { text: () => string } {
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  return { text: () => out };
}

let dir: string;
let redis: OwnRedis;
const children: ChildProcess[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'l2h-redis-restart-'));
  redis = await ownRedis();
  await redis.start();
});
afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await redis.dispose();
  await rm(dir, { recursive: true, force: true });
});

describe('kill -9 of the collector process with --sinks jsonl,redis', () => {
  it('restarts on the same session and leaves Redis exactly right', async () => {
    expect(existsSync(CLI), `${CLI} is missing: run npm run build`).toBe(true);
    expect(
      availableSinks(),
      "the sink registry lacks redis: add to SINK_FACTORIES in collector/sinks/registry.ts the entry from collector/sinks/redis/README.md ('Registering the sink')",
    ).toContain('redis');

    await writeFile(join(dir, 'day.tape'), tape(4000), 'latin1');
    const sim = spawn(
      process.execPath,
      [
        CLI,
        'simulate',
        '--tape',
        'day.tape',
        '--port-l1',
        '0',
        '--port-l2',
        '0',
        '--port-admin',
        '0',
        '--rate',
        '1000',
        '--start',
        'all-watched',
        '--log-level',
        'warn',
      ],
      {
        cwd: dir,
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    children.push(sim);
    const simOut = lines(sim);
    const ports = await until('the simulator', async () => {
      const l = simOut
        .text()
        .split('\n')
        .find((x) => x.includes('"ready"'));
      return l ? (JSON.parse(l) as { ports: Record<string, number> }).ports : null;
    });
    const prefix = `kill9-${randomUUID().slice(0, 8)}:`;
    const env = {
      ...process.env,
      REDIS_URL: redis.url,
      L2H_REDIS_URL: redis.url,
      L2H_REDIS_PREFIX: prefix,
      L2H_REDIS_STREAM_MAXLEN: String(MAXLEN),
    };
    const statusFile = join(dir, 'status.json');
    const args = [
      CLI,
      'collect',
      '--symbols',
      SYMBOLS.join(','),
      '--port-l1',
      String(ports['L1']),
      '--port-l2',
      String(ports['L2']),
      '--port-admin',
      String(ports['ADMIN']),
    ];
    args.push(
      '--sinks',
      'jsonl,redis',
      '--data-dir',
      'data',
      '--journal-dir',
      'journal',
      '--status-file',
      statusFile,
      '--log-level',
      'warn',
    );
    const status = async () => JSON.parse(await readFile(statusFile, 'utf8')) as CollectorStatus;

    const first = spawn(process.execPath, args, { cwd: dir, env, stdio: ['ignore', 'pipe', 'inherit'] });
    children.push(first);
    const firstOut = lines(first);
    const session = await until('the collector ready line', async () => {
      const l = firstOut
        .text()
        .split('\n')
        .find((x) => x.includes('"ready"'));
      return l ? (JSON.parse(l) as { session: string }).session : null;
    });
    await until('Redis to hold records', async () => {
      const s = await status();
      return (s.sinks.find((k) => k.name === 'redis')?.written ?? 0) > 500 ? true : null;
    });
    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));

    const second = spawn(process.execPath, [...args, '--session', session], {
      cwd: dir,
      env,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    children.push(second);
    const secondOut = lines(second);
    await until('the restarted collector', async () =>
      secondOut.text().includes('"resumed":true') ? true : null,
    );
    await until('the tape to end', async () => (simOut.text().includes('"tape-end"') ? true : null), 60_000);
    await until('both sinks to catch up', async () => {
      const s = await status();
      return s.pid === second.pid &&
        s.sinks.every((k) => k.mode === 'live' && k.lag === 0) &&
        s.journal.headSeq > 0
        ? true
        : null;
    });
    second.kill('SIGTERM');
    const code = await new Promise<number | null>((r) => second.once('exit', r));
    expect(code).toBe(0);
    const final = await status();

    const expected = await buildExpectedIndex({
      journalDir: join(dir, 'journal', session),
      session,
      journalLines: final.journal.headSeq,
      symbols: SYMBOLS,
      depth: 10,
    });
    const checks = await redisChecks({
      url: redis.url,
      keyPrefix: prefix,
      streamMaxLen: MAXLEN,
      expectedLast: expected.last,
      jsonlDir: join(dir, 'data'),
    });
    const failed = checks.filter((c) => !c.pass);
    expect(failed, JSON.stringify(failed, null, 2)).toEqual([]);
    const byId = new Map(checks.map((c) => [c.id, c.evidence.counts ?? {}]));
    expect(byId.get('redis.latest-l2')).toMatchObject({ expected: 2, matched: 2 });
    expect(byId.get('redis.stream-l2')!['matched']).toBeGreaterThanOrEqual(MAXLEN);
  });
});
