/**
 * The IQFeed password goes to IQConnect's admin port and nowhere else: not into a log line (the
 * logger here has no redaction, so only the feed's own care keeps it out), an event, an error or
 * the status.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { makeRig, type Rig, waitFor } from './helpers.js';

const rigs: Rig[] = [];
afterEach(async () => {
  for (const r of rigs.splice(0)) await r.teardown();
});

const SECRET = 'Sup3r,S3cret pw';

describe('the IQFeed password', () => {
  it('is sent on the admin port and appears in no log line, event, error or status', async () => {
    const r = await makeRig({
      admin: true,
      iqfeed: { productId: 'L2H_TEST', productVersion: '0.1', loginId: '424242', password: SECRET },
    });
    rigs.push(r);
    r.port.ADMIN.onAccept = (c) =>
      c.write('S,REGISTER CLIENT APP COMPLETED,\nS,CURRENT LOGINID,424242,\nS,CURRENT PASSWORD,(S*****w),\n');
    await r.feed.start();
    const admin = await r.port.ADMIN.waitForConn(1);
    await admin.waitForCommands(6);
    expect(admin.commands()).toEqual([
      'S,SET PROTOCOL,6.2',
      'S,SET CLIENT NAME,l2h-collector',
      'S,REGISTER CLIENT APP,L2H_TEST,0.1',
      'S,SET LOGINID,424242',
      `S,SET PASSWORD,${SECRET}`,
      'S,CONNECT',
    ]);
    // Walk every path that logs or reports: a reset, a reconnect (handshake logged again), a
    // refused protocol, a stop.
    admin.reset();
    await waitFor(() => r.rec.events('ADMIN').length === 2, 'the reset');
    r.advanceMs(r.status('ADMIN').retryInMs ?? 0);
    const again = await r.port.ADMIN.waitForConn(2);
    await again.waitForCommands(6);
    again.write('E,6.2 is not a valid protocol.,\n');
    await waitFor(() => r.rec.errors().length === 1, 'the protocol error');
    const status = JSON.stringify(r.feed.ports());
    await r.feed.stop();

    const log = r.log();
    // The handshake was logged (at debug), with the password replaced.
    expect(log).toContain('S,SET PASSWORD,[redacted]');
    expect(log).toContain('S,SET LOGINID,424242');
    const reported = [
      log,
      status,
      JSON.stringify(r.feed.ports()),
      JSON.stringify(r.rec.events()),
      ...r.rec.errors().map((e) => `${e.describe()} ${JSON.stringify(e.context)}`),
    ].join('\n');
    for (const piece of ['Sup3r', 'S3cret']) expect(reported).not.toContain(piece);
  });
});
