/**
 * A connection output's graceful end over real sockets: a client that reads gets every queued
 * byte and then the FIN, leaving nothing scheduled; at a stop, one that stopped reading cannot
 * hold the socket open past the close grace.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { type Clock, ManualClock } from '../../../common/clock.js';
import { FlowGate } from '../../../simulator/replay/flow-gate.js';
import { identitySendPath } from '../../../simulator/send-path.js';
import { CLOSE_GRACE_MS, ConnectionOutput } from '../../../simulator/session/output.js';
import { CountingClock, TestClient, waitFor } from '../helpers.js';

/** More than loopback's kernel buffers hold for a reader that stopped (~4 MB). */
const LINE = 'x'.repeat(64 * 1024 - 1);
const LINES = 256;

const cleanup: (() => void)[] = [];
afterEach(() => {
  for (const fn of cleanup.splice(0)) fn();
});

/** A connected pair: the server side wrapped in an output on `clock`, the client side. */
async function connection(
  clock: Clock,
): Promise<{ out: ConnectionOutput; socket: Socket; client: TestClient }> {
  const server: Server = createServer();
  const accepted = new Promise<Socket>((resolve) => {
    server.once('connection', resolve);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const client = await TestClient.connect((server.address() as { port: number }).port, 'L1');
  const socket = await accepted;
  socket.on('error', () => {});
  cleanup.push(() => {
    client.close();
    socket.destroy();
    server.close();
  });
  const out = new ConnectionOutput(socket, {
    channel: 'L1',
    terminator: '\n',
    maxQueueBytes: 1 << 30,
    checkpointEvery: 1_000_000,
    sendPath: identitySendPath,
    gate: new FlowGate(),
    clock,
    overflow: 'fall-behind',
  });
  return { out, socket, client };
}

function queueLines(out: ConnectionOutput): void {
  for (let i = 0; i < LINES; i++) {
    out.line(LINE);
    out.flush();
  }
}

describe('ConnectionOutput.close', () => {
  it('end at a stop: a client that stopped reading loses the socket once the grace is over', async () => {
    const clock = new ManualClock(0);
    const { out, socket, client } = await connection(clock);
    client.socket.pause();
    queueLines(out);

    out.close('end', CLOSE_GRACE_MS);
    expect(out.queuedBytes()).toBeGreaterThan(0); // bytes still owed: end() cannot finish
    clock.advanceUs(60_000_000); // well past any grace
    expect(socket.destroyed).toBe(true);
    client.socket.resume(); // only a reading client can see the connection gone
    await waitFor(() => client.closed, 'the client to see the connection gone');
  });

  it('end: a client that reads gets every byte, then the FIN, and no timer is left', async () => {
    const clock = new CountingClock(new ManualClock(0));
    const { out, client } = await connection(clock);
    let fin = false;
    client.socket.once('end', () => {
      fin = true;
    });
    queueLines(out);

    out.close('end');
    await waitFor(() => client.closed, 'the connection closed');
    expect(fin).toBe(true);
    expect(client.byteCount).toBe(out.bytes);
    expect(out.bytes).toBe(LINES * (LINE.length + 1));
    expect(clock.pendingMs()).toEqual([]);
  });

  it('end without a grace (a fault mid-run): a client that stopped reading still gets every byte, however late', async () => {
    const clock = new ManualClock(0);
    const { out, socket, client } = await connection(clock);
    client.socket.pause();
    queueLines(out);

    out.close('end');
    clock.advanceUs(60_000_000);
    expect(socket.destroyed).toBe(false);
    client.socket.resume();
    await waitFor(() => client.closed, 'the connection closed');
    expect(client.byteCount).toBe(LINES * (LINE.length + 1));
  });
});
