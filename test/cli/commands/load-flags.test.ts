import { Command } from 'commander';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { registerLoad } from '../../../cli/commands/load.js';
import { parseError, usageMessage } from './parse-helpers.js';

// The run itself is replaced by a spy: these tests are about what happens to the flags before it.
const calls = vi.hoisted(() => ({ defaultDay: 0, load: [] as unknown[] }));

vi.mock('../../../fixtures/default-day.js', () => ({
  ensureDefaultDay: async () => {
    calls.defaultDay += 1;
    return '/nonexistent/day.tape';
  },
}));
vi.mock('../../../harness/load/load.js', () => ({
  runLoad: async (options: unknown) => {
    calls.load.push(options);
    throw new Error('runLoad reached');
  },
}));

beforeEach(() => {
  calls.defaultDay = 0;
  calls.load = [];
});

function program(): Command {
  const p = new Command().exitOverride().configureOutput({ writeErr: () => {}, writeOut: () => {} });
  registerLoad(p);
  return p;
}

function run(...args: string[]): Promise<unknown> {
  return parseError(program(), ['load', ...args]);
}

describe('l2h load --rates with ramp flags', () => {
  it('refuses --start-rate, --ramp-factor or --max-rate next to --rates instead of ignoring them', async () => {
    for (const flag of [
      ['--start-rate', '999999'],
      ['--ramp-factor', '0.5'],
      ['--max-rate', '1'],
    ]) {
      const text = usageMessage(await run('--rates', '500', ...flag, '--out', '/nonexistent/x'));
      expect(text).toContain(flag[0]);
      expect(text).toContain('--rates');
    }
    expect(calls).toMatchObject({ defaultDay: 0, load: [] });
  });

  it('still runs a list when only the defaults of the ramp flags are there', async () => {
    const err = await run('--rates', '500,1000', '--tape', 't.tape', '--out', '/nonexistent/x');
    expect((err as Error).message).toBe('runLoad reached');
    expect(calls.load).toEqual([expect.objectContaining({ plan: { kind: 'list', rates: [500, 1000] } })]);
  });
});

describe('l2h load --min-achieved', () => {
  it('is documented in --help, passed on, and refused outside (0, 1]', async () => {
    const cmd = program().commands.find((c) => c.name() === 'load')!;
    expect(cmd.helpInformation()).toContain('--min-achieved');
    const err = await run('--rates', '500', '--min-achieved', '0.8', '--tape', 't.tape', '--out', '/x');
    expect((err as Error).message).toBe('runLoad reached');
    expect(calls.load).toEqual([expect.objectContaining({ minAchieved: 0.8 })]);
    for (const v of ['0', '1.5', 'x']) {
      expect(usageMessage(await run('--min-achieved', v, '--out', '/nonexistent/x'))).toContain(
        '--min-achieved',
      );
    }
  });
});
