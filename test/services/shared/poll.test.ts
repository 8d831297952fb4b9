import { describe, expect, it } from 'vitest';
import { systemClock } from '../../../common/clock.js';
import { pollUntil } from '../../../services/shared/poll.js';

const fast = { clock: systemClock, intervalMs: 1, what: 'the thing' };

describe('pollUntil', () => {
  it('returns the first defined value, treating throws and undefined as "not yet"', async () => {
    let calls = 0;
    const value = await pollUntil(
      async () => {
        calls++;
        if (calls === 1) throw new Error('refused');
        return calls >= 3 ? calls : undefined;
      },
      { ...fast, timeoutMs: 5_000 },
    );
    expect(value).toBe(3);
  });

  it('fails with TIMEOUT naming the condition and the last failure', async () => {
    await expect(
      pollUntil(
        async () => {
          throw new Error('connect ECONNREFUSED');
        },
        { ...fast, timeoutMs: 20 },
      ),
    ).rejects.toMatchObject({
      code: 'TIMEOUT',
      message: 'Timed out after 20 ms waiting for the thing',
      context: { lastFailure: 'connect ECONNREFUSED' },
    });
  });

  it('stops at once when abortIf reports an error', async () => {
    const died = new Error('process exited');
    let calls = 0;
    await expect(
      pollUntil(
        async () => {
          calls++;
          return undefined;
        },
        { ...fast, timeoutMs: 5_000, abortIf: () => (calls >= 2 ? died : undefined) },
      ),
    ).rejects.toBe(died);
    expect(calls).toBe(2);
  });
});
