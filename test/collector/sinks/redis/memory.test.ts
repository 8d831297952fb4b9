import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isNotNewerId, redisError } from '../../../../collector/sinks/redis/errors.js';
import { LatestRecords, StreamTails } from '../../../../collector/sinks/redis/memory.js';
import { mixedRecords } from './records.js';

describe('what the Redis sink remembers', () => {
  it('holds exactly the last record per (kind, symbol)', () => {
    const records = mixedRecords('s', 1, 500, ['A', 'B', 'C']);
    const latest = new LatestRecords();
    for (const r of records) latest.note(r);
    const want = new Map(records.map((r) => [`${r.kind}/${r.symbol}`, r.seq]));
    expect(new Map([...latest.values()].map((r) => [`${r.kind}/${r.symbol}`, r.seq]))).toEqual(want);
    // A re-delivered older record does not move it back.
    latest.note(records[0]!);
    expect(
      [...latest.values()].find((r) => r.kind === records[0]!.kind && r.symbol === records[0]!.symbol)!.seq,
    ).toBe(want.get(`${records[0]!.kind}/${records[0]!.symbol}`));
  });

  it('keeps the last N records per kind in order, whatever N and the count', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 0, max: 300 }), (n, count) => {
        const records = mixedRecords('s', 1, count, ['A', 'B']);
        const tails = new StreamTails(n);
        for (const r of records) tails.note(r);
        for (const kind of ['l2', 'l1', 'ticks', 'gaps'] as const) {
          const want = records
            .filter((r) => r.kind === kind)
            .slice(-n)
            .map((r) => r.seq);
          expect([...tails.records(kind)].map((r) => r.seq)).toEqual(want);
          expect(tails.count(kind)).toBe(want.length);
        }
      }),
    );
  });
});

describe('Redis errors', () => {
  function reply(message: string): Error {
    const e = new Error(message);
    e.name = 'ReplyError';
    return e;
  }

  it('retries a Redis that is away or busy, not one that refuses the setup', () => {
    expect(redisError(new Error('Connection is closed.'), 'write', 'redis://h:1').retriable).toBe(true);
    expect(
      redisError(reply('LOADING Redis is loading the dataset in memory'), 'write', 'redis://h:1').retriable,
    ).toBe(true);
    const wrongType = redisError(
      reply('WRONGTYPE Operation against a key holding the wrong kind of value'),
      'write',
      'redis://h:1',
    );
    expect(wrongType).toMatchObject({ retriable: false, code: 'BAD_USAGE' });
    expect(wrongType.hint).toMatch(/L2H_REDIS_PREFIX/);
    const auth = redisError(reply('NOAUTH Authentication required.'), 'write', 'redis://u:secret@h:1');
    expect(auth.retriable).toBe(false);
    expect(auth.describe()).not.toContain('secret');
  });

  it('recognizes the refusal of a re-delivered stream entry', () => {
    expect(
      isNotNewerId(reply('ERR The ID specified in XADD is equal or smaller than the target stream top item')),
    ).toBe(true);
    expect(
      isNotNewerId(
        new Error('ERR The ID specified in XADD is equal or smaller than the target stream top item'),
      ),
    ).toBe(false);
  });
});
