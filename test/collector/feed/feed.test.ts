/**
 * The feed through its public API against small TCP servers standing in for IQConnect: what
 * it sends, what it hands on and in which order, admin status, the refused-protocol error,
 * resync and stop. Reconnection is in link.test.ts; silence and pause in connection.test.ts.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_L1_FIELDS } from '../../../collector/feed/index.js';
import { L2hError } from '../../../common/errors.js';
import { makeRig, type Rig, START_US, waitFor } from './helpers.js';

const rigs: Rig[] = [];
afterEach(async () => {
  for (const r of rigs.splice(0)) await r.teardown();
});

async function rig(...args: Parameters<typeof makeRig>): Promise<Rig> {
  const r = await makeRig(...args);
  rigs.push(r);
  return r;
}

const L1_BANNER = 'S,KEY,99999\nS,SERVER CONNECTED\nS,IP,0.0.0.0 59000\n';

describe('feed: handshake', () => {
  it('sends protocol, name, fields and watches on each port, in order, each ending in CRLF', async () => {
    const r = await rig({
      symbols: ['aapl', 'MSFT', 'IBM'],
      family: { MSFT: 'mbo', IBM: 'mm' },
      admin: true,
    });
    await r.feed.start();
    const [l1, l2, admin] = await Promise.all([
      r.port.L1.waitForConn(1),
      r.port.L2.waitForConn(1),
      r.port.ADMIN.waitForConn(1),
    ]);
    await Promise.all([l1.waitForCommands(6), l2.waitForCommands(5), admin.waitForCommands(2)]);
    expect(l1.raw).toBe(
      'S,SET PROTOCOL,6.2\r\n' +
        'S,SET CLIENT NAME,l2h-collector\r\n' +
        `S,SELECT UPDATE FIELDS,${DEFAULT_L1_FIELDS.join(',')}\r\n` +
        'wAAPL\r\nwMSFT\r\nwIBM\r\n',
    );
    expect(l2.raw).toBe(
      'S,SET PROTOCOL,6.2\r\nS,SET CLIENT NAME,l2h-collector\r\nWPL,AAPL\r\nWOR,MSFT\r\nwIBM\r\n',
    );
    expect(admin.raw).toBe('S,SET PROTOCOL,6.2\r\nS,SET CLIENT NAME,l2h-collector\r\n');
    // Mixed families keep 6.2 and still send w: the log says a real IQConnect may refuse it.
    expect(r.log()).toMatch(/legacy market-maker watch/);
  });

  it('asks for protocol 6.1 on Level 2 when every symbol is market maker', async () => {
    const r = await rig({ symbols: ['IBM'], family: 'mm' });
    await r.feed.start();
    const l2 = await r.port.L2.waitForConn(1);
    await l2.waitForCommands(3);
    expect(l2.commands()).toEqual(['S,SET PROTOCOL,6.1', 'S,SET CLIENT NAME,l2h-collector', 'wIBM']);
    const l1 = await r.port.L1.waitForConn(1);
    await l1.waitForCommands(4);
    expect(l1.commands()[0]).toBe('S,SET PROTOCOL,6.2');
  });
});

describe('feed: lines and events', () => {
  it('hands on every line per read, terminators removed, after a connect event', async () => {
    const r = await rig();
    r.port.L1.onAccept = (c) => c.write(L1_BANNER);
    r.port.L2.onAccept = (c) => c.write('S,SERVER CONNECTED\r\nO\r\n');
    await r.feed.start();
    await waitFor(() => r.rec.linesOf('L1').length === 3 && r.rec.linesOf('L2').length === 2, 'banners');
    const l1 = await r.port.L1.waitForConn(1);
    // A line in three writes, the CR of its CRLF apart from the LF.
    l1.write('Q,AAPL,134.62,');
    l1.write('1\r');
    l1.write('\nT,20240102 09:30:01\n');
    await waitFor(() => r.rec.linesOf('L1').length === 5, 'the split line');
    expect(r.rec.timeline('L1')).toEqual([
      'connect',
      'S,KEY,99999',
      'S,SERVER CONNECTED',
      'S,IP,0.0.0.0 59000',
      'Q,AAPL,134.62,1',
      'T,20240102 09:30:01',
    ]);
    expect(r.rec.timeline('L2')).toEqual(['connect', 'S,SERVER CONNECTED', 'O']);
    expect(r.rec.events('L1')).toEqual([{ event: 'connect', channel: 'L1', us: START_US, reason: null }]);
    // Lines are stamped with the wall clock of the read that brought them.
    r.advanceMs(3000);
    l1.write('T,20240102 09:30:04\n');
    await waitFor(() => r.rec.linesOf('L1').length === 6, 'the late line');
    const last = r.rec.log[r.rec.log.length - 1];
    expect(last).toEqual({
      kind: 'lines',
      channel: 'L1',
      lines: ['T,20240102 09:30:04'],
      us: START_US + 3_000_000,
    });
  });

  it('keeps latin1 bytes as they came', async () => {
    const r = await rig();
    await r.feed.start();
    const l1 = await r.port.L1.waitForConn(1);
    l1.socket.write(Buffer.from([0x4e, 0x2c, 0xe9, 0xff, 0x0a]));
    await waitFor(() => r.rec.linesOf('L1').length === 1, 'the line');
    expect(r.rec.linesOf('L1')).toEqual(['N,\u00e9\u00ff']);
  });

  it('delivers the unterminated remainder as a line, then the disconnect event', async () => {
    const r = await rig();
    await r.feed.start();
    const l1 = await r.port.L1.waitForConn(1);
    l1.end('T,20240102 09:30:00\nQ,AAPL,134.6');
    await waitFor(() => r.rec.events('L1').length === 2, 'the disconnect event');
    expect(r.rec.timeline('L1')).toEqual([
      'connect',
      'T,20240102 09:30:00',
      'Q,AAPL,134.6',
      'disconnect:disconnect',
    ]);
    expect(r.rec.events('L1')[1]).toMatchObject({ event: 'disconnect', reason: 'disconnect', detail: 'EOF' });
    expect(r.status('L1')).toMatchObject({ connected: false, lastProblem: 'disconnect: EOF' });
  });
});

describe('feed: IQConnect status', () => {
  it('follows S,SERVER CONNECTED/DISCONNECTED per port and the admin STATS status', async () => {
    const r = await rig({ admin: true });
    r.port.L1.onAccept = (c) => c.write(L1_BANNER);
    r.port.L2.onAccept = (c) => c.write('S,SERVER DISCONNECTED\r\n');
    await r.feed.start();
    await waitFor(
      () => r.status('L1').serverConnected === true && r.status('L2').serverConnected === false,
      'status',
    );
    expect(r.status('ADMIN')).toMatchObject({ connected: true, serverConnected: null, statsStatus: null });
    const admin = await r.port.ADMIN.waitForConn(1);
    admin.write(
      'S,STATS,66.112.148.111,60002,1300,0,3,0,0,0,Jul 05 7:26AM,Jul 05 04:15AM,Connected,6.2.0.25,"490914",3.24,0.12,0.09,1.1,0.0,0.0,\n',
    );
    await waitFor(() => r.status('ADMIN').serverConnected === true, 'admin Connected');
    expect(r.status('ADMIN').statsStatus).toBe('Connected');
    admin.write('S,STATS,,,0,0,1,0,0,0,,,Not Connected,6.0.0.4,474614,0,0,,0.02,0.02,,\n');
    await waitFor(() => r.status('ADMIN').serverConnected === false, 'admin Not Connected');
    expect(r.status('ADMIN').statsStatus).toBe('Not Connected');
    // The STATS lines are data like any other: they reach the listener.
    expect(r.rec.linesOf('ADMIN')).toHaveLength(2);
    expect(r.status('L1')).toMatchObject({
      channel: 'L1',
      host: '127.0.0.1',
      port: r.port.L1.port,
      reconnects: 0,
    });
    expect(r.status('L1').msSinceLastLine).toBe(0);
    r.advanceMs(1500);
    expect(r.status('L1').msSinceLastLine).toBe(1500);
  });

  it('surfaces a refused protocol as an error naming the fix, after handing on the line', async () => {
    const r = await rig({ admin: true });
    r.port.L1.onAccept = (c) => c.write(`${L1_BANNER}E,6.2 is not a valid protocol.,\n`);
    // CS#143 saw it on admin with a CR left after splitting on LF.
    r.port.ADMIN.onAccept = (c) => c.write('E,6.2 is not a valid protocol.,\r\n');
    await r.feed.start();
    await waitFor(() => r.rec.errors().length === 2, 'two errors');
    const err = r.rec.errors().find((e) => e.context.channel === 'L1');
    expect(err).toBeInstanceOf(L2hError);
    expect(err?.retriable).toBe(false);
    expect(err?.describe()).toMatch(/IQConnect refused protocol 6.2 on the L1 port/);
    expect(err?.describe()).toMatch(/upgrade IQConnect .* to 6.2 or later/);
    expect(err?.context).toMatchObject({ host: '127.0.0.1', port: r.port.L1.port, protocol: '6.2' });
    expect(r.rec.timeline('L1').slice(-2)).toEqual(['E,6.2 is not a valid protocol.,', 'error']);
    expect(r.rec.timeline('ADMIN')).toEqual(['connect', 'E,6.2 is not a valid protocol.,', 'error']);
    expect(r.status('L1').error).toMatch(/refused protocol 6.2/);
    expect(r.status('L2').error).toBeNull();
    expect(r.log()).toMatch(/IQConnect refused the protocol/);
    // Not a reason to drop the socket: reconnecting would get the same answer.
    expect(r.status('L1').connected).toBe(true);
  });
});

describe('feed: resync', () => {
  it('re-sends the watches of the symbols asked for on L1 and L2, and refuses symbols it does not watch', async () => {
    const r = await rig({ symbols: ['AAPL', 'MSFT'], family: { MSFT: 'mbo' }, admin: true });
    await r.feed.start();
    const [l1, l2, admin] = await Promise.all([
      r.port.L1.waitForConn(1),
      r.port.L2.waitForConn(1),
      r.port.ADMIN.waitForConn(1),
    ]);
    await Promise.all([l1.waitForCommands(5), l2.waitForCommands(4), admin.waitForCommands(2)]);
    r.feed.resync(['msft']);
    await Promise.all([l1.waitForCommands(6), l2.waitForCommands(5)]);
    expect(l1.commands().slice(5)).toEqual(['wMSFT']);
    expect(l2.commands().slice(4)).toEqual(['WOR,MSFT']);
    r.feed.resync();
    await Promise.all([l1.waitForCommands(8), l2.waitForCommands(7)]);
    expect(l1.commands().slice(6)).toEqual(['wAAPL', 'wMSFT']);
    expect(l2.commands().slice(5)).toEqual(['WPL,AAPL', 'WOR,MSFT']);
    expect(() => r.feed.resync(['AAPL', 'ZZZ'])).toThrow(/cannot resync ZZZ: not watched/);
    expect(admin.commands()).toHaveLength(2);
  });
});

describe('feed: stop', () => {
  it('closes gracefully, delivers what the peer still sent, emits stop events and never reconnects', async () => {
    const r = await rig({ admin: true }, { halfOpen: true });
    for (const ch of ['L1', 'L2', 'ADMIN'] as const) {
      // On our FIN, IQConnect's last words: a full line and an unterminated one.
      r.port[ch].onAccept = (c) => c.socket.on('end', () => c.end(`T,last ${ch}\nPART ${ch}`));
    }
    await r.feed.start();
    await Promise.all([r.port.L1.waitForConn(1), r.port.L2.waitForConn(1), r.port.ADMIN.waitForConn(1)]);
    await r.feed.stop();
    for (const ch of ['L1', 'L2', 'ADMIN'] as const) {
      expect(r.rec.timeline(ch)).toEqual(['connect', `T,last ${ch}`, `PART ${ch}`, 'disconnect:stop']);
      expect(r.status(ch).connected).toBe(false);
    }
    r.advanceMs(60_000);
    expect(r.feed.ports().map((p) => p.attempts)).toEqual([1, 1, 1]);
    expect(r.feed.ports().map((p) => p.retryInMs)).toEqual([null, null, null]);
    await r.feed.stop(); // idempotent
    await expect(r.feed.start()).rejects.toThrow(/already stopped/);
  });

  it('destroys a socket whose peer does not close within the grace period', async () => {
    const r = await rig({ stopGraceMs: 750 }, { halfOpen: true });
    await r.feed.start();
    const l1 = await r.port.L1.waitForConn(1);
    await r.port.L2.waitForConn(1);
    const stopping = r.feed.stop();
    await waitFor(() => l1.ended, 'our FIN');
    expect(r.rec.events('L1')).toHaveLength(1);
    r.advanceMs(749);
    // Still open and still read within the grace period.
    l1.write('T,late\n');
    await waitFor(() => r.rec.linesOf('L1').includes('T,late'), 'a line during the grace period');
    expect(l1.closed).toBe(false);
    r.advanceMs(1);
    await stopping;
    expect(r.rec.events('L1').map((e) => e.reason)).toEqual([null, 'stop']);
  });
});
