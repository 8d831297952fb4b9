import { describe, expect, test } from 'vitest';
import { systemClock } from '../../common/clock.js';

describe('systemClock', () => {
  test('monoUs is whole microseconds, never goes backwards, and keeps pace with hrtime', () => {
    const hrUs = () => Number(process.hrtime.bigint() / 1000n);
    const before0 = hrUs();
    const mono0 = systemClock.monoUs();
    const after0 = hrUs();
    let prev = mono0;
    for (let i = 0; i < 200_000; i++) {
      const now = systemClock.monoUs();
      expect(Number.isInteger(now)).toBe(true);
      if (now < prev) expect.fail(`monoUs went back from ${prev} to ${now} at reading ${i}`);
      prev = now;
    }
    const before1 = hrUs();
    const span = systemClock.monoUs() - mono0;
    const after1 = hrUs();
    // Both read the same monotonic source: the clock's span lies between the hrtime readings
    // bracketing its two ends (±1 µs for flooring), however long a pause fell in between.
    expect(span).toBeGreaterThanOrEqual(before1 - after0 - 1);
    expect(span).toBeLessThanOrEqual(after1 - before0 + 1);
  });

  test('wallUs is epoch microseconds that advance with monoUs', () => {
    const wall0 = systemClock.wallUs();
    const mono0 = systemClock.monoUs();
    expect(Math.abs(wall0 / 1000 - Date.now())).toBeLessThan(1000);
    const until = mono0 + 2000;
    while (systemClock.monoUs() < until) {
      // spin 2 ms
    }
    expect(systemClock.wallUs() - wall0).toBeGreaterThanOrEqual(2000);
    expect(Number.isInteger(systemClock.wallUs())).toBe(true);
  });
});
