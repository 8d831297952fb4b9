import { describe, expect, it } from 'vitest';
import { exitCodeFor, L2hError } from '../../common/errors.js';
import { createLogger, LOG_LEVELS } from '../../common/logger.js';

describe('createLogger', () => {
  it('refuses an unknown --log-level as bad usage, naming the flag and the levels allowed', () => {
    let err: unknown;
    try {
      createLogger({ level: 'loud' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(L2hError);
    expect(exitCodeFor(err)).toBe(2);
    const text = (err as L2hError).describe();
    expect(text).toContain('--log-level');
    expect(text).toContain('"loud"');
    for (const level of ['debug', 'info', 'warn', 'error', 'silent']) expect(text).toContain(level);
  });

  it('names where the level came from when it is not the flag', () => {
    expect(() => createLogger({ level: 'loud', levelSource: 'L2H_LOG_LEVEL' })).toThrow(/L2H_LOG_LEVEL/);
  });

  it('accepts every level it lists', () => {
    for (const level of LOG_LEVELS) expect(createLogger({ level }).level).toBe(level);
  });
});
