import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { registerGenerate } from '../../../cli/commands/generate.js';
import { registerImport } from '../../../cli/commands/import.js';
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

describe('l2h import', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'l2h-cli-fixtures-'));
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('import jsonl and import lobster report what they wrote; bad input exits 2', async () => {
    const records = join(dir, 'AAPL_ticks_20250725.jsonl');
    await writeFile(
      records,
      '{"symbol":"AAPL","timestamp":"2025-07-25T09:30:00.000001","price":213.9,"size":100,"conditions":"01","market_center":11,"total_volume":100,"tick_id":1}\n',
    );
    const ok = await run('import', 'jsonl', records, '--out', join(dir, 'r.tape'));
    expect(ok.err).toBeNull();
    expect(ok.out).toMatch(/0 L2 snapshots, 0 quotes, 1 ticks \(AAPL\)/);
    const bad = await run('import', 'jsonl', join(dir, 'missing.jsonl'));
    expect(exitCodeFor(bad.err)).toBe(2);
    const lobster = await run(
      'import',
      'lobster',
      join(dir, 'm.csv'),
      join(dir, 'o.csv'),
      '--symbol',
      'AAPL',
      '--date',
      '2012-06-21',
    );
    expect(String((lobster.err as Error).message)).toMatch(/LOBSTER file not found/);
    expect(exitCodeFor(lobster.err)).toBe(2);
  });
});
