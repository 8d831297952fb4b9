import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../common/logger.js';
import { PLANTS } from '../../../harness/selftest/plants.js';
import { runSelftest } from '../../../harness/selftest/selftest.js';

describe('l2h selftest', () => {
  let dir = '';
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('passes a clean run and catches every planted defect with the check meant for it', async () => {
    dir = await mkdtemp(join(tmpdir(), 'l2h-selftest-'));
    const { results } = await runSelftest({
      out: dir,
      lines: 12_000,
      seed: 'selftest-test',
      logger: silentLogger,
      command: 'test',
    });
    const byId = new Map(results.checks.map((c) => [c.id, c]));
    expect(byId.get('selftest.clean-run')?.pass).toBe(true);
    for (const p of PLANTS) {
      const c = byId.get(`selftest.${p.name}`);
      expect({ plant: p.name, pass: c?.pass, measured: c?.measured }).toMatchObject({
        plant: p.name,
        pass: true,
      });
      // What was planted is named in the evidence, and the catching check said so.
      expect(c?.measured).toContain(p.checkId);
    }
    expect(results.verdict).toBe('pass');
  }, 240_000);
});
