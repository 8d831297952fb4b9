import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  parseLatestKey,
  parseStreamId,
  redisKeys,
  streamId,
} from '../../../../collector/sinks/redis/keys.js';
import {
  redisSinkOptionsFromEnv,
  resolveRedisSinkOptions,
} from '../../../../collector/sinks/redis/options.js';
import { L2hError } from '../../../../common/errors.js';

describe('Redis key layout', () => {
  it('puts prefix, role, kind and symbol in that order', () => {
    const k = redisKeys('prod:l2h:');
    expect(k.latest('l2', 'AAPL')).toBe('prod:l2h:latest:l2:AAPL');
    expect(k.stream('gaps')).toBe('prod:l2h:stream:gaps');
    expect([k.sessions, k.symbols, k.meta]).toEqual([
      'prod:l2h:sessions',
      'prod:l2h:symbols',
      'prod:l2h:meta',
    ]);
  });

  it('reads a latest key back, symbols with colons included', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('l2', 'l1', 'ticks', 'gaps' as const),
        fc.string({ minLength: 1, maxLength: 12 }),
        (kind, symbol) => {
          const k = redisKeys();
          expect(parseLatestKey(k, k.latest(kind, symbol))).toEqual({ kind, symbol });
        },
      ),
    );
    expect(parseLatestKey(redisKeys(), 'l2h:latest:l3:AAPL')).toBeNull();
    expect(parseLatestKey(redisKeys(), 'other:latest:l2:AAPL')).toBeNull();
  });

  it('refuses prefixes that would break SCAN patterns or redis-cli lines', () => {
    for (const bad of ['has space:', 'glob*:', 'q?', 'x'.repeat(65)]) {
      expect(() => redisKeys(bad), bad).toThrow(L2hError);
    }
  });

  it('makes stream IDs that sort as (epoch, seq)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 45 }), fc.integer({ min: 1, max: 2 ** 50 }), (e, s) => {
        expect(parseStreamId(streamId(e, s))).toEqual({ epochMs: e, seq: s });
      }),
    );
    expect(parseStreamId('12-x')).toBeNull();
  });
});

describe('Redis sink options', () => {
  it('fills defaults and names the bad value', () => {
    expect(resolveRedisSinkOptions({ url: 'redis://h:1', session: 's' })).toMatchObject({
      keyPrefix: 'l2h:',
      streamMaxLen: 10_000,
    });
    expect(() => resolveRedisSinkOptions({ url: 'http://h', session: 's' })).toThrow(
      /must start with redis:\/\//,
    );
    expect(() => resolveRedisSinkOptions({ url: 'redis://h', session: 's', streamMaxLen: 0 })).toThrow(
      /MAXLEN.*got 0/,
    );
  });

  it('reads L2H_REDIS_* before REDIS_URL and checks the stream length', () => {
    expect(redisSinkOptionsFromEnv({ REDIS_URL: 'redis://a:1', L2H_REDIS_URL: 'redis://b:2' }, 's').url).toBe(
      'redis://b:2',
    );
    expect(redisSinkOptionsFromEnv({ REDIS_URL: 'redis://a:1' }, 's')).toMatchObject({
      url: 'redis://a:1',
      session: 's',
    });
    expect(redisSinkOptionsFromEnv({}, 's').url).toBe('redis://127.0.0.1:6379');
    expect(
      redisSinkOptionsFromEnv({ L2H_REDIS_STREAM_MAXLEN: '500', L2H_REDIS_PREFIX: 'x:' }, 's'),
    ).toMatchObject({ streamMaxLen: 500, keyPrefix: 'x:' });
    expect(() => redisSinkOptionsFromEnv({ L2H_REDIS_STREAM_MAXLEN: 'lots' }, 's')).toThrow(
      /L2H_REDIS_STREAM_MAXLEN.*"lots"/,
    );
  });
});
