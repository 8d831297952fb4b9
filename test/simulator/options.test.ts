import { describe, expect, it } from 'vitest';
import { ManualClock, systemClock } from '../../common/clock.js';
import { L2hError } from '../../common/errors.js';
import { parseNumberFlag, parseSpeed, parseStartMode, resolveOptions } from '../../simulator/options.js';

describe('simulator options', () => {
  it('fills every default in one place', () => {
    const o = resolveOptions({ tape: 'x.tape' });
    expect(o).toMatchObject({
      host: '127.0.0.1',
      ports: { L1: 5009, L2: 9200, ADMIN: 9300 },
      pacing: { kind: 'speed', factor: 1 },
      start: 'first-watch',
      seed: 1,
      maxQueueBytes: 4096 * 1024,
      exitAtEnd: false,
      statsFile: null,
      checkpointEvery: 100_000,
      holdWhenUnwatched: false,
      waitForClients: false,
    });
    expect(resolveOptions({ tape: 'x', speed: 2, waitForClients: true }).waitForClients).toBe(true);
    expect(o.clock).toBe(systemClock);
    expect(o.spinUs).toBeGreaterThan(0);
    expect(resolveOptions({ tape: 'x', clock: new ManualClock() }).spinUs).toBe(0);
  });

  it('resolves pacing and refuses contradictions and bad values with usage errors', () => {
    expect(resolveOptions({ tape: 'x', speed: 'max' }).pacing).toEqual({ kind: 'max' });
    expect(resolveOptions({ tape: 'x', rate: 10_000 }).pacing).toEqual({
      kind: 'rate',
      linesPerSecond: 10_000,
    });
    const usage = (f: () => unknown) => {
      try {
        f();
      } catch (err) {
        return err instanceof L2hError ? err.code : 'other';
      }
      return 'no error';
    };
    expect(usage(() => resolveOptions({ tape: 'x', speed: 2, rate: 5 }))).toBe('BAD_USAGE');
    expect(usage(() => resolveOptions({ tape: 'x', speed: 0 }))).toBe('BAD_USAGE');
    expect(usage(() => resolveOptions({ tape: 'x', ports: { L1: 70000 } }))).toBe('BAD_USAGE');
    expect(usage(() => parseSpeed('fast'))).toBe('BAD_USAGE');
    expect(usage(() => parseStartMode('later'))).toBe('BAD_USAGE');
    expect(usage(() => parseNumberFlag('1.5', '--port-l1', 0, true))).toBe('BAD_USAGE');
    expect([parseSpeed('MAX'), parseSpeed('2.5'), parseStartMode('all-watched')]).toEqual([
      'max',
      2.5,
      'all-watched',
    ]);
  });
});
