import { describe, expect, it } from 'vitest';
import { DEFAULT_L1_FIELDS, resolveFeedOptions } from '../../../collector/feed/options.js';
import { L2hError } from '../../../common/errors.js';

function usageMessage(f: () => unknown): string {
  try {
    f();
  } catch (err) {
    expect(err).toBeInstanceOf(L2hError);
    expect((err as L2hError).code).toBe('BAD_USAGE');
    return (err as L2hError).describe();
  }
  throw new Error('expected a usage error');
}

describe('resolveFeedOptions', () => {
  it('fills every default in one place', () => {
    const o = resolveFeedOptions({ symbols: ['aapl', ' msft ', 'AAPL'] });
    expect(o).toEqual({
      host: '127.0.0.1',
      ports: { L1: 5009, L2: 9200, ADMIN: 9300 },
      symbols: ['AAPL', 'MSFT'],
      family: { AAPL: 'mbp', MSFT: 'mbp' },
      depth: 10,
      maxPriceLevels: null,
      l1Fields: DEFAULT_L1_FIELDS,
      clientName: 'l2h-collector',
      protocol: '6.2',
      admin: true,
      iqfeed: {},
      backoff: { initialMs: 200, maxMs: 10_000, factor: 2, jitter: 0.3 },
      staleMs: 5000,
      serverReconnectTimeoutMs: 30_000,
      connectTimeoutMs: 5000,
      stopGraceMs: 2000,
      maxLineBytes: 4 * 1024 * 1024,
    });
    expect(o.l1Fields).toHaveLength(20);
    expect(o.l1Fields[0]).toBe('Symbol');
  });

  it('takes one family for all symbols or one per symbol', () => {
    expect(resolveFeedOptions({ symbols: ['A', 'B'], family: 'mm' }).family).toEqual({ A: 'mm', B: 'mm' });
    expect(resolveFeedOptions({ symbols: ['A', 'B'], family: { b: 'mbo' } }).family).toEqual({
      A: 'mbp',
      B: 'mbo',
    });
  });

  it('puts Symbol first in the L1 field list, as IQConnect does', () => {
    expect(
      resolveFeedOptions({ symbols: ['A'], l1Fields: ['Bid', 'Symbol', 'Ask', 'Bid'] }).l1Fields,
    ).toEqual(['Symbol', 'Bid', 'Ask']);
  });

  it('refuses bad values with a message naming the option and the value', () => {
    expect(usageMessage(() => resolveFeedOptions({ symbols: [] }))).toMatch(/at least one symbol/);
    expect(usageMessage(() => resolveFeedOptions({ symbols: ['A,B'] }))).toMatch(/bad symbol "A,B"/);
    expect(usageMessage(() => resolveFeedOptions({ symbols: ['A'], family: 'book' as 'mbp' }))).toMatch(
      /unknown L2 family "book".*mbp, mbo, mm/,
    );
    expect(usageMessage(() => resolveFeedOptions({ symbols: ['A'], family: { B: 'mbo' } }))).toMatch(
      /family given for "B", which is not among the symbols/,
    );
    expect(usageMessage(() => resolveFeedOptions({ symbols: ['A'], l1Fields: ['Symbol', 'Bdi'] }))).toMatch(
      /unknown Level 1 field "Bdi"/,
    );
    expect(usageMessage(() => resolveFeedOptions({ symbols: ['A'], ports: { L2: 70_000 } }))).toMatch(
      /port for L2 must be an integer 1–65535, got 70000/,
    );
    expect(usageMessage(() => resolveFeedOptions({ symbols: ['A'], protocol: 'six' }))).toMatch(
      /protocol must look like 6.2/,
    );
    expect(
      usageMessage(() => resolveFeedOptions({ symbols: ['A'], backoff: { initialMs: 500, maxMs: 100 } })),
    ).toMatch(/backoff.maxMs \(100\) must not be below backoff.initialMs \(500\)/);
    expect(usageMessage(() => resolveFeedOptions({ symbols: ['A'], backoff: { jitter: 2 } }))).toMatch(
      /jitter/,
    );
    expect(usageMessage(() => resolveFeedOptions({ symbols: ['A'], staleMs: 0 }))).toMatch(
      /staleMs must be a positive integer/,
    );
    expect(usageMessage(() => resolveFeedOptions({ symbols: ['A'], clientName: 'a,b' }))).toMatch(
      /clientName/,
    );
  });

  it('never quotes the password in an error', () => {
    const secret = 'Hunter2\r\nS,CONNECT';
    const msg = usageMessage(() => resolveFeedOptions({ symbols: ['A'], iqfeed: { password: secret } }));
    expect(msg).toMatch(/iqfeed.password/);
    expect(msg).not.toContain('Hunter2');
  });

  it('keeps a password with commas as given', () => {
    expect(
      resolveFeedOptions({ symbols: ['A'], iqfeed: { loginId: '123', password: 'a,b c' } }).iqfeed,
    ).toEqual({
      loginId: '123',
      password: 'a,b c',
    });
  });
});
