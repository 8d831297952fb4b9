import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { gcChoiceFor } from '../../../collector/pipeline/gc-tuning.js';

describe('gcChoiceFor', () => {
  it('keeps parallel scavenging only with more than two cores', () => {
    expect(gcChoiceFor(1).parallelScavenge).toBe(false);
    expect(gcChoiceFor(2).parallelScavenge).toBe(false);
    expect(gcChoiceFor(3).parallelScavenge).toBe(true);
    expect(gcChoiceFor(64).parallelScavenge).toBe(true);
  });
});

describe('tuneGc', () => {
  it('sets the flag in a running V8 without harm: a process that tunes and then allocates hard exits cleanly', () => {
    // The flag is changed after V8 started; flags that cannot be (e.g. --single-threaded-gc)
    // abort the process at the next GC, so a clean exit after many scavenges is the check.
    const module = fileURLToPath(new URL('../../../collector/pipeline/gc-tuning.ts', import.meta.url));
    const script = `
      const { tuneGc } = await import(${JSON.stringify(module)});
      const choice = tuneGc(2);
      let keep = [];
      for (let i = 0; i < 3e6; i++) { keep.push({ i, s: 'x' + i }); if (keep.length > 1e5) keep = []; }
      process.stdout.write(JSON.stringify(choice));
    `;
    const loader = fileURLToPath(new URL('./ts-loader.mjs', import.meta.url));
    const r = spawnSync(process.execPath, ['--import', loader, '--input-type=module', '-e', script], {
      encoding: 'utf8',
    });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ parallelScavenge: false, cores: 2 });
  });
});
