import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../common/logger.js';
import { generateTape } from '../../../fixtures/index.js';
import { runRegress } from '../../../harness/regress/regress.js';

// Replays run the built CLI (`npm run build` first; `npm test` does it).
describe('l2h regress', () => {
  let dir: string;
  let tape: string;
  let spec: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'l2h-regress-'));
    tape = join(dir, 'day.tape');
    await generateTape({ seed: 'regress-test', lines: 6000 }, tape);
    spec = join(dir, 'day.fixture.json');
    await writeFile(spec, JSON.stringify({ name: 'day', description: 'test day', source: { tape } }));
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const regress = (out: string, updateGolden: boolean) =>
    runRegress({
      fixtures: [spec],
      out: join(dir, out),
      updateGolden,
      logger: silentLogger,
      command: 'test',
    });

  it('has nothing to compare before a golden exists, blesses one, then matches it', async () => {
    const [first] = await regress('r1', false);
    expect(first!.check.pass).toBe(false);
    expect(first!.check.measured).toBe('no golden results yet');
    const [blessing] = await regress('r2', true);
    expect(blessing!.blessed).toBe(true);
    const golden = JSON.parse(await readFile(join(dir, 'day.golden.json'), 'utf8')) as { streams: object };
    expect(Object.keys(golden.streams).length).toBeGreaterThan(5);
    const [again] = await regress('r3', false);
    expect(again!.check.pass).toBe(true);
    expect(again!.changes).toEqual([]);
  });

  it('catches a changed record and names the stream it changed', async () => {
    // Change the size of one by-price update in the middle of the tape: one L2 record differs.
    const text = await readFile(tape, 'latin1');
    const lines = text.split('\n');
    const at = lines.findIndex((l, i) => i > lines.length / 2 && /\tL2\t8,/.test(l));
    const fields = lines[at]!.split(',');
    const symbol = fields[1]!;
    fields[4] = String(Number(fields[4]) + 7);
    lines[at] = fields.join(',');
    await writeFile(tape, lines.join('\n'), 'latin1');
    const [out] = await regress('r4', false);
    expect(out!.verified).toBe(true); // the replay itself is right: the day changed
    expect(out!.check.pass).toBe(false);
    expect(out!.changes!.map((c) => c.stream)).toEqual([`l2/${symbol}`]);
    expect(out!.check.measured).toContain('the tape itself changed');
  });
});
