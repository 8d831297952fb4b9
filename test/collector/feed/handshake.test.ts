import { describe, expect, it } from 'vitest';
import { handshake, l2Protocol, loggable, watches, wire } from '../../../collector/feed/handshake.js';
import { resolveFeedOptions } from '../../../collector/feed/options.js';
import { decodeCommand, isDecodeError } from '../../../collector/protocol/index.js';

const lines = (cmds: ReturnType<typeof handshake>): string[] => cmds.map((c) => c.line);

describe('handshake', () => {
  it('L1: protocol, client name, field selection, then one w per symbol', () => {
    const o = resolveFeedOptions({ symbols: ['AAPL', 'MSFT'], l1Fields: ['Symbol', 'Bid', 'Ask'] });
    expect(lines(handshake('L1', o))).toEqual([
      'S,SET PROTOCOL,6.2',
      'S,SET CLIENT NAME,l2h-collector',
      'S,SELECT UPDATE FIELDS,Symbol,Bid,Ask',
      'wAAPL',
      'wMSFT',
    ]);
  });

  it('L2: a watch per family; 6.2 unless every symbol is market maker', () => {
    const mixed = resolveFeedOptions({
      symbols: ['AAPL', 'MSFT', 'IBM'],
      family: { MSFT: 'mbo', IBM: 'mm' },
    });
    expect(lines(handshake('L2', mixed))).toEqual([
      'S,SET PROTOCOL,6.2',
      'S,SET CLIENT NAME,l2h-collector',
      'WPL,AAPL',
      'WOR,MSFT',
      'wIBM',
    ]);
    const mm = resolveFeedOptions({ symbols: ['IBM', 'AAPL'], family: 'mm' });
    expect(l2Protocol(mm)).toBe('6.1');
    expect(lines(handshake('L2', mm))).toEqual([
      'S,SET PROTOCOL,6.1',
      'S,SET CLIENT NAME,l2h-collector',
      'wIBM',
      'wAAPL',
    ]);
  });

  it('sends the WPL level cap only when asked for', () => {
    const o = resolveFeedOptions({ symbols: ['AAPL'], depth: 5 });
    expect(lines(watches('L2', o, o.symbols))).toEqual(['WPL,AAPL']);
    const capped = resolveFeedOptions({ symbols: ['AAPL'], maxPriceLevels: 5 });
    expect(lines(watches('L2', capped, capped.symbols))).toEqual(['WPL,AAPL,5']);
  });

  it('admin: protocol and name, and the login only as far as it is given', () => {
    expect(lines(handshake('ADMIN', resolveFeedOptions({ symbols: ['A'] })))).toEqual([
      'S,SET PROTOCOL,6.2',
      'S,SET CLIENT NAME,l2h-collector',
    ]);
    const o = resolveFeedOptions({
      symbols: ['A'],
      iqfeed: {
        productId: 'MY_PRODUCT',
        productVersion: '1.0',
        loginId: '123456',
        password: 'pw,with comma',
      },
    });
    const cmds = handshake('ADMIN', o);
    expect(lines(cmds)).toEqual([
      'S,SET PROTOCOL,6.2',
      'S,SET CLIENT NAME,l2h-collector',
      'S,REGISTER CLIENT APP,MY_PRODUCT,1.0',
      'S,SET LOGINID,123456',
      'S,SET PASSWORD,pw,with comma',
      'S,CONNECT',
    ]);
    expect(loggable(cmds)).toContain('S,SET PASSWORD,[redacted]');
    expect(loggable(cmds).join('\n')).not.toContain('pw');
  });

  it('ends every command in CRLF and produces commands IQConnect (our codec) understands', () => {
    const o = resolveFeedOptions({ symbols: ['AAPL', 'MSFT'], family: { MSFT: 'mbo' } });
    for (const ch of ['L1', 'L2', 'ADMIN'] as const) {
      const cmds = handshake(ch, o);
      expect(wire(cmds)).toBe(cmds.map((c) => `${c.line}\r\n`).join(''));
      for (const c of cmds) expect(isDecodeError(decodeCommand(ch, c.line)), `${ch} ${c.line}`).toBe(false);
    }
  });
});
