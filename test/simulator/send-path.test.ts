/**
 * The faults seam: a send path sees every outgoing line with its index, channel and symbol, and
 * what it does is what the client gets and what the stats count.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { OutgoingLine, SendPath } from '../../simulator/index.js';
import { startSim, stopAfterEach, TestClient, waitFor, writeTape } from './helpers.js';

const D = '09:30:00.000000,2024-06-21,';
const rows = [0, 1, 2, 3, 4, 5].map((i) => `8,AAPL,${i % 2 ? 'A' : 'B'},100.0${i},1,1,2,${D}`);

const { sims, clients } = stopAfterEach();

describe('send path', () => {
  it('lets a transform drop, repeat, alter and tear lines; the stats count what was queued', async () => {
    const seen: OutgoingLine[] = [];
    const transform: SendPath = {
      send(out, sink) {
        seen.push(out);
        if (out.line === rows[1]) return; // drop
        if (out.line === rows[2]) {
          sink.line(out.line); // repeat
          sink.line(out.line);
          return;
        }
        if (out.line === rows[3]) {
          sink.line(out.line.replace('100.03', '999.99')); // alter
          return;
        }
        if (out.line === rows[4]) {
          sink.raw(out.line.slice(0, 10)); // tear across two writes
          sink.flush();
          sink.raw(`${out.line.slice(10)}\r\n`);
          return;
        }
        sink.line(out.line);
      },
    };
    const tape = writeTape(
      { symbols: 'AAPL', l2: 'mbp', date: '2024-06-21' },
      rows.map((r) => [0, 'L2', r] as const),
    );
    const sim = await startSim({
      tape,
      speed: 'max',
      sendPath: (conn) => (conn.channel === 'L2' ? transform : { send: (o, s) => s.line(o.line) }),
    });
    sims.push(sim);
    const c = await TestClient.connect(sim.ports.L2, 'L2');
    clients.push(c);
    c.send(['S,TIMESTAMPSOFF', 'WPL,AAPL']);
    await sim.tapeEnd;
    const expected = [
      'S,SERVER CONNECTED',
      rows[0],
      rows[2],
      rows[2],
      rows[3].replace('100.03', '999.99'),
      rows[4],
      rows[5],
    ];
    await c.waitForLines(expected.length);
    expect(c.lines()).toEqual(expected);
    expect(seen.map((o) => [o.index, o.channel, o.symbol])).toEqual([
      [0, 'L2', null],
      ...rows.map((_, i) => [i + 1, 'L2', 'AAPL']),
    ]);
    const stats = sim.stats().connections[0];
    expect(stats.bytes).toBe(c.byteCount);
    expect(stats.sha256Raw).toBe(createHash('sha256').update(c.bytes).digest('hex'));
    // The torn line was queued as raw bytes, not as a line: 6 lines, and the lines digest is of those.
    expect(stats.lines).toBe(expected.length - 1);
    const lines = expected.filter((l) => l !== rows[4]);
    expect(stats.sha256Lines).toBe(
      createHash('sha256')
        .update(lines.map((l) => `${l}\n`).join(''))
        .digest('hex'),
    );
  });

  it('lets a transform close the connection', async () => {
    const tape = writeTape(
      { symbols: 'AAPL', l2: 'mbp', date: '2024-06-21' },
      rows.map((r) => [0, 'L2', r] as const),
    );
    const sim = await startSim({
      tape,
      speed: 'max',
      sendPath: () => ({
        send(out, sink) {
          if (out.line === rows[2]) sink.close('end');
          else sink.line(out.line);
        },
      }),
    });
    sims.push(sim);
    const c = await TestClient.connect(sim.ports.L2, 'L2');
    clients.push(c);
    c.send(['S,TIMESTAMPSOFF', 'WPL,AAPL']);
    await waitFor(() => c.closed, 'the close');
    expect(c.lines()).toEqual(['S,SERVER CONNECTED', rows[0], rows[1]]);
    await sim.tapeEnd; // the replay goes on for the other connections
    expect(sim.stats().connections[0]).toMatchObject({ lines: 3, open: false });
  });
});
