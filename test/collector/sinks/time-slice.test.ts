import { describe, expect, it } from 'vitest';
import { TimeSlice } from '../../../collector/sinks/time-slice.js';

function fakeClock() {
  let us = 0;
  return {
    monoUs: () => us,
    advanceMs: (ms: number) => {
      us += ms * 1000;
    },
  };
}

describe('TimeSlice', () => {
  it('is due once its length has passed, and starts a new slice after a pause', async () => {
    const clock = fakeClock();
    const slice = new TimeSlice(clock, 8);
    expect(slice.due()).toBe(false);
    clock.advanceMs(7.9);
    expect(slice.due()).toBe(false);
    clock.advanceMs(0.1);
    expect(slice.due()).toBe(true);
    await slice.pause();
    expect(slice.due()).toBe(false);
    clock.advanceMs(8);
    expect(slice.due()).toBe(true);
  });

  it('pause lets work queued on the event loop run before it resolves', async () => {
    const slice = new TimeSlice(fakeClock(), 8);
    let ran = false;
    setImmediate(() => {
      ran = true;
    });
    await slice.pause();
    expect(ran).toBe(true);
  });
});
