/**
 * `l2h simulate` through commander, in process: flags become options, stdout carries only JSON
 * event lines (ready, stats), and the run ends on `S,L2H END` from the admin port.
 */
import { Command } from 'commander';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { registerSimulate } from '../../../cli/commands/simulate.js';
import { L2hError } from '../../../common/errors.js';
import { cleanupTempDirs, TestClient, waitFor, writeTape } from '../../simulator/helpers.js';

afterEach(() => {
  vi.restoreAllMocks();
  cleanupTempDirs();
});

function program(): Command {
  const p = new Command().exitOverride();
  registerSimulate(p);
  return p;
}

interface Ready {
  readonly event: string;
  readonly host: string;
  readonly ports: Record<string, number>;
  readonly pid: number;
}

/**
 * `l2h simulate` on a one-line tape at `--speed max` with free ports, stdout captured: resolves at
 * its ready line. `events()` parses everything it printed (JSON lines only).
 */
async function startSimulate(extra: readonly string[]) {
  const tape = writeTape({ symbols: 'AAPL', l2: 'mbp', date: '2024-06-21' }, [
    [0, 'L2', '8,AAPL,B,100.0000,1,1,4,09:30:00.000000,2024-06-21,'],
  ]);
  const out: string[] = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out.push(String(chunk));
    return true;
  });
  const ports = ['--port-l1', '0', '--port-l2', '0', '--port-admin', '0'];
  const run = program().parseAsync(
    ['simulate', '--tape', tape, ...ports, '--speed', 'max', ...extra, '--log-level', 'silent'],
    { from: 'user' },
  );
  await waitFor(() => out.length >= 1, 'the ready line');
  const ready = JSON.parse(out[0]!) as Ready;
  const events = <T>(): T[] =>
    out
      .join('')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as T);
  return { run, ready, events };
}

describe('l2h simulate', () => {
  it('prints ready with the bound ports, serves, and prints stats when told to end', async () => {
    const { run, ready, events } = await startSimulate([]);
    expect(ready).toMatchObject({ event: 'ready', host: '127.0.0.1', pid: process.pid });
    for (const p of Object.values(ready.ports)) expect(p).toBeGreaterThan(0);

    const l2 = await TestClient.connect(ready.ports.L2, 'L2');
    l2.send('WPL,AAPL');
    await l2.waitForLines(2);
    const admin = await TestClient.connect(ready.ports.ADMIN, 'ADMIN');
    admin.send('S,L2H END');
    await run;
    l2.close();
    admin.close();
    // stdout holds JSON lines only.
    const printed = events<{ event: string; reason?: string }>();
    expect(printed.map((e) => e.event)).toEqual(['ready', 'tape-end', 'stats']);
    expect(printed[2]!.reason).toBe('admin-end');
  });

  it('refuses bad flags and a missing tape with errors that name them', async () => {
    const bad = (args: string[]) =>
      program()
        .parseAsync(['simulate', ...args, '--log-level', 'silent'], { from: 'user' })
        .then(
          () => null,
          (err: unknown) => err,
        );
    const speed = await bad(['--tape', 'x.tape', '--speed', 'fast']);
    expect(speed).toBeInstanceOf(L2hError);
    expect((speed as L2hError).code).toBe('BAD_USAGE');
    expect((speed as L2hError).message).toContain('--speed');
    const missing = await bad(['--tape', '/nonexistent/day.tape', '--port-l1', '0']);
    expect((missing as L2hError).code).toBe('BAD_INPUT');
    expect((missing as L2hError).describe()).toContain('/nonexistent/day.tape');
  });

  it('--wait-for-clients is described in the help and reaches the simulator (its stats say so)', async () => {
    const simulate = program().commands.find((c) => c.name() === 'simulate')!;
    const help = simulate.helpInformation().replace(/\s+/g, ' ');
    expect(help).toContain(
      '--wait-for-clients not IQConnect behaviour, for a harness with one client such as benches: the replay ' +
        'waits for the slowest L1/L2 client instead of leaving it to fall behind and be served from the tape ' +
        '(one pass over the tape); one client that stops reading stops the replay for every client',
    );

    const { run, ready, events } = await startSimulate(['--wait-for-clients']);
    const admin = await TestClient.connect(ready.ports.ADMIN, 'ADMIN');
    admin.send('S,L2H END');
    await run;
    admin.close();
    const stats = events<{ event: string; replay?: { waitForClients: boolean } }>().find(
      (e) => e.event === 'stats',
    );
    expect(stats?.replay?.waitForClients).toBe(true);
  });
});
