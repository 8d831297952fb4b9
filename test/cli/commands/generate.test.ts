import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { registerGenerate } from '../../../cli/commands/generate.js';
import { registerImport } from '../../../cli/commands/import.js';
import { openTape } from '../../../collector/tape/reader.js';
import { exitCodeFor } from '../../../common/errors.js';

async function run(...args: string[]): Promise<{ out: string; err: unknown }> {
  const program = new Command().exitOverride().configureOutput({ writeErr: () => {}, writeOut: () => {} });
  registerGenerate(program);
  registerImport(program);
  let out = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  });
  try {
    await program.parseAsync(['node', 'l2h', ...args]);
    return { out, err: null };
  } catch (err) {
    return { out, err };
  } finally {
    spy.mockRestore();
  }
}

describe('l2h generate', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'l2h-cli-fixtures-'));
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('generate writes the tape it names, with the options it was given', async () => {
    const out = join(dir, 'day.tape.gz');
    const r = await run(
      'generate',
      '--seed',
      '9',
      '--lines',
      '3k',
      '--symbols',
      'AAPL,IBM=mm',
      '--out',
      out,
      '--crossed',
      '1',
      '--locked',
      '1',
    );
    expect(r.err).toBeNull();
    expect(r.out).toContain(out);
    expect(r.out).toMatch(/planted crossed=1 locked=1/);
    const tape = await openTape(out);
    expect(tape.header.get('l2')).toBe('AAPL=mbp,IBM=mm');
    expect(tape.header.get('seed')).toBe('9');
    await tape.close();
  });

  it('generate refuses bad usage with exit code 2 and says what is wrong', async () => {
    for (const [args, message] of [
      [['generate', '--seed', '1', '--lines', 'lots'], /--lines must be a count, got "lots"/],
      [['generate', '--seed', '1', '--date', '2025-02-30'], /--date "2025-02-30" is not a date/],
      [['generate', '--seed', '1', '--symbols', 'AAPL=xyz'], /unknown family "xyz"/],
    ] as const) {
      const { err } = await run(...args, '--out', join(dir, 'never.tape'));
      expect(String((err as Error).message)).toMatch(message);
      expect(exitCodeFor(err)).toBe(2);
    }
    expect(existsSync(join(dir, 'never.tape'))).toBe(false);
  });

  it('names the flag whose count it cannot read', async () => {
    for (const flag of ['--lines', '--crossed', '--locked']) {
      const { err } = await run('generate', '--seed', 'x', flag, 'abc', '--out', join(dir, 'never.tape'));
      expect(String((err as Error).message)).toBe(`${flag} must be a count, got "abc"`);
      expect(exitCodeFor(err)).toBe(2);
    }
  });
});
