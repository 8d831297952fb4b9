import { Command } from 'commander';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { registerLoad } from '../../../cli/commands/load.js';
import { registerReplay } from '../../../cli/commands/replay.js';
import { parseError, usageMessage } from './parse-helpers.js';

// The expensive parts (generating the bundled day, provisioning services, the runs themselves)
// are replaced by spies: these tests are about what happens to the flags before any of them.
const calls = vi.hoisted(() => ({
  defaultDay: 0,
  services: 0,
  replay: 0,
  load: 0,
  scenario: [] as unknown[],
}));

vi.mock('../../../fixtures/default-day.js', () => ({
  ensureDefaultDay: async () => {
    calls.defaultDay += 1;
    return '/nonexistent/day.tape';
  },
}));
vi.mock('../../../harness/replay/sink-services.js', () => ({
  prepareSinkServices: async () => {
    calls.services += 1;
    throw new Error('prepareSinkServices reached');
  },
}));
vi.mock('../../../harness/replay/replay.js', () => ({
  runReplay: async () => {
    calls.replay += 1;
    throw new Error('runReplay reached');
  },
}));
vi.mock('../../../harness/load/load.js', () => ({
  runLoad: async () => {
    calls.load += 1;
    throw new Error('runLoad reached');
  },
}));
vi.mock('../../../harness/scenarios/index.js', () => ({
  findScenario: (name: string) => ({
    run: async (options: unknown) => {
      calls.scenario.push({ name, options });
      throw new Error('scenario reached');
    },
  }),
}));

beforeEach(() => {
  calls.defaultDay = 0;
  calls.services = 0;
  calls.replay = 0;
  calls.load = 0;
  calls.scenario = [];
});

function program(): Command {
  const p = new Command().exitOverride().configureOutput({ writeErr: () => {}, writeOut: () => {} });
  registerReplay(p);
  registerLoad(p);
  return p;
}

function run(...args: string[]): Promise<unknown> {
  return parseError(program(), args);
}

function helpOf(name: string): string {
  const cmd = program().commands.find((c) => c.name() === name);
  expect(cmd).toBeDefined();
  return cmd!.helpInformation();
}

describe('l2h replay --scenario', () => {
  it('refuses the flags the scenario sets itself, before running anything', async () => {
    for (const flag of [
      ['--sinks', 'jsonl,kafka'],
      ['--speed', '1'],
      ['--rate', '500'],
      ['--depth', '3'],
    ]) {
      const err = await run('replay', '--scenario', 'crash-restart', ...flag, '--out', '/nonexistent/x');
      const text = usageMessage(err);
      expect(text).toContain(flag[0]);
      expect(text).toContain('the scenario sets');
    }
    expect(calls.scenario).toEqual([]);
  });

  it('refuses even nonsense values of those flags rather than dropping them', async () => {
    const err = await run('replay', '--scenario', 'crash-restart', '--sinks', 'nonsense', '--speed', '-5');
    expect(usageMessage(err)).toMatch(/--sinks, --speed/);
    expect(calls.scenario).toEqual([]);
  });

  it('still passes --tape, --seed and --timeout to the scenario', async () => {
    const err = await run(
      'replay',
      '--scenario',
      'crash-restart',
      '--tape',
      't.tape',
      '--seed',
      '7',
      '--timeout',
      '9',
      '--out',
      '/nonexistent/x',
    );
    expect((err as Error).message).toBe('scenario reached');
    expect(calls.scenario).toEqual([
      {
        name: 'crash-restart',
        options: expect.objectContaining({ tape: 't.tape', seed: 7, timeoutMs: 9000, full: false }),
      },
    ]);
  });
});

describe('flags are checked before any expensive setup', () => {
  it('replay: a bad --speed, --rate, --depth, --seed or --timeout is refused before the day or the services', async () => {
    for (const [flag, value] of [
      ['--speed', 'fast'],
      ['--rate', '0'],
      ['--depth', 'x'],
      ['--seed', '-1'],
      ['--timeout', '0'],
    ] as const) {
      const err = await run('replay', flag, value, '--sinks', 'jsonl,kafka', '--out', '/nonexistent/x');
      expect(usageMessage(err)).toContain(flag);
    }
    expect(calls).toMatchObject({ defaultDay: 0, services: 0, replay: 0 });
  });

  it('replay: a bad --log-level is refused before the day or the services', async () => {
    const err = await run('replay', '--log-level', 'loud', '--out', '/nonexistent/x');
    expect(usageMessage(err)).toContain('--log-level');
    expect(calls).toMatchObject({ defaultDay: 0, services: 0, replay: 0 });
  });

  it('load: a bad --sinks, --step or --depth is refused before the bundled day is generated', async () => {
    for (const [flag, value] of [
      ['--sinks', 'jsonl,foo'],
      ['--step', '0'],
      ['--depth', '0'],
      ['--max-p99-ms', 'x'],
      ['--seed', 'x'],
    ] as const) {
      const err = await run('load', flag, value, '--out', '/nonexistent/x');
      expect(usageMessage(err)).toContain(flag);
    }
    expect(calls).toMatchObject({ defaultDay: 0, load: 0 });
  });
});

describe('--sinks help states the rule that is enforced', () => {
  it('replay and load say jsonl must be in the list, and refuse a list without it', async () => {
    for (const name of ['replay', 'load']) {
      const help = helpOf(name).replace(/\s+/g, ' ');
      expect(help).not.toContain('jsonl is always on');
      expect(help).toContain('must include jsonl');
    }
    const err = await run('replay', '--sinks', 'clickhouse', '--out', '/nonexistent/x');
    expect(usageMessage(err)).toContain('--sinks must include jsonl');
  });
});
