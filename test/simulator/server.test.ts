/**
 * The listeners on their own: closing them stops the listening whatever the accepted connections
 * do, and leaves nothing scheduled behind (an outage's re-listen included).
 */
import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../common/clock.js';
import { type Listeners, listen } from '../../simulator/server.js';
import { CountingClock, TestClient, waitFor, within } from './helpers.js';

const PORTS = { L1: 0, L2: 0, ADMIN: 0 } as const;
const OUTAGE_MS = 600_000;

const cleanup: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

/** Listeners whose accepted sockets are kept (and destroyed after the test). */
async function listening(): Promise<{ listeners: Listeners; accepted: Socket[] }> {
  const accepted: Socket[] = [];
  const listeners = await listen('127.0.0.1', PORTS, (_channel, socket) => {
    socket.on('error', () => {});
    accepted.push(socket);
  });
  cleanup.push(
    () => listeners.close(),
    () => {
      for (const s of accepted) s.destroy();
    },
  );
  return { listeners, accepted };
}

describe('listeners', () => {
  it('close() resolves while an accepted connection is still open, and refuses new ones', async () => {
    const { listeners, accepted } = await listening();
    const client = await TestClient.connect(listeners.ports.L1, 'L1');
    cleanup.push(() => client.close());
    await waitFor(() => accepted.length === 1, 'the connection accepted');

    // The connection is the sessions' to close, within their own grace: it must not hold this.
    expect(await within(listeners.close(), 2_000)).toBeUndefined();
    expect(client.closed).toBe(false);
    await expect(TestClient.connect(listeners.ports.L1, 'L1')).rejects.toMatchObject({
      code: 'ECONNREFUSED',
    });
  });

  it('close() cancels the re-listen of an outage still running, and the port stays closed', async () => {
    const manual = new ManualClock(0);
    const clock = new CountingClock(manual);
    const { listeners } = await listening();
    listeners.refuse('L2', OUTAGE_MS, clock);
    expect(clock.pendingMs()).toEqual([OUTAGE_MS]);

    await listeners.close();
    // A timer left pending would keep `l2h simulate --exit-at-end` alive for the whole outage.
    expect(clock.pendingMs()).toEqual([]);
    manual.advanceUs(OUTAGE_MS * 1000);
    await expect(TestClient.connect(listeners.ports.L2, 'L2')).rejects.toMatchObject({
      code: 'ECONNREFUSED',
    });
  });
});
