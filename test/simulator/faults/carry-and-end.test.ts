/**
 * The injector's bookkeeping without sockets: faults due together on one line, and what an
 * ending fault does with the line it fires on. A recording sink stands in for the connection.
 */
import { describe, expect, it } from 'vitest';
import type { Channel } from '../../../collector/protocol/channel.js';
import { FaultInjector } from '../../../simulator/faults/injector.js';
import type { FaultSpec } from '../../../simulator/faults/spec.js';
import type { SendPath, SendSink } from '../../../simulator/send-path.js';

interface Recorded {
  readonly conn: number;
  readonly lines: string[];
  readonly closes: string[];
}

function recordingSink(rec: Recorded): SendSink {
  return {
    line: (text) => void rec.lines.push(text),
    split: (text) => void rec.lines.push(text),
    raw: () => undefined,
    flush: () => undefined,
    stall: () => undefined,
    close: (how) => void rec.closes.push(how),
  };
}

/** One connection of the injector: offers lines and keeps what reached its sink. */
function connection(injector: FaultInjector, id: number, channel: Channel) {
  const path: SendPath = injector.sendPaths({ id, channel, simBaseUs: 0, simNowUs: () => 0 });
  const rec: Recorded = { conn: id, lines: [], closes: [] };
  const sink = recordingSink(rec);
  let index = 0;
  return {
    rec,
    offer(symbol: string | null, line: string): void {
      path.send({ index: index++, channel, symbol, line }, sink);
    },
  };
}

const row = (sym: string, i: number): string => `8,${sym},B,100.${String(i).padStart(2, '0')},1,1,2,`;

describe('faults due together', () => {
  it('a symbol-named fault carried past its line fires on that symbol’s next line, not another’s', () => {
    const spec: FaultSpec = {
      faults: [
        { kind: 'drop', channel: 'L2', symbol: 'MSFT', at: { line: 2 } },
        { kind: 'duplicate', channel: 'L2', symbol: 'MSFT', at: { line: 2 } },
      ],
    };
    const injector = new FaultInjector({ spec, seed: 1 });
    const c = connection(injector, 1, 'L2');
    // MSFT lines 0..2, then an AAPL line and a timestamp, then MSFT line 3.
    for (let i = 0; i < 3; i++) c.offer('MSFT', row('MSFT', i));
    c.offer('AAPL', row('AAPL', 0));
    c.offer(null, 'T,20240621 09:30:00');
    c.offer('MSFT', row('MSFT', 3));
    const r = injector.report();
    expect(r.injected.map((f) => [f.kind, f.symbol, f.connectionLine])).toEqual([
      ['drop', 'MSFT', 2],
      ['duplicate', 'MSFT', 5],
    ]);
    expect(c.rec.lines).toEqual([
      row('MSFT', 0),
      row('MSFT', 1),
      row('AAPL', 0),
      'T,20240621 09:30:00',
      row('MSFT', 3),
      row('MSFT', 3),
    ]);
    const dup = r.injected[1]!;
    expect(dup.wireLine).toBe(5);
    expect(dup.addedLine?.bytes).toBe(row('MSFT', 3).length);
  });

  it('a carried symbol-named fault waits for its symbol on the next connection too', () => {
    const spec: FaultSpec = {
      faults: [
        { kind: 'close', channel: 'L1', symbol: 'IBM', at: { line: 1 } },
        { kind: 'corrupt', channel: 'L1', symbol: 'IBM', at: { line: 1 }, field: 2 },
      ],
    };
    const injector = new FaultInjector({ spec, seed: 1 });
    const a = connection(injector, 1, 'L1');
    a.offer('IBM', row('IBM', 0));
    a.offer('IBM', row('IBM', 1));
    const b = connection(injector, 2, 'L1');
    b.offer(null, 'S,SERVER CONNECTED');
    b.offer('AAPL', row('AAPL', 0));
    b.offer('IBM', row('IBM', 2));
    const r = injector.report();
    expect(r.injected.map((f) => [f.kind, f.symbol, f.connection, f.connectionLine])).toEqual([
      ['close', 'IBM', 1, 1],
      ['corrupt', 'IBM', 2, 2],
    ]);
    expect(b.rec.lines.slice(0, 2)).toEqual(['S,SERVER CONNECTED', row('AAPL', 0)]);
    expect(b.rec.lines[2]).not.toBe(row('IBM', 2));
  });
});

describe('ending faults and the line they fire on', () => {
  // IQConnect dropping a client loses what was in flight to it: the line the fault fires on goes
  // to no connection, and the report says so (with its size) so a verifier can account for it.
  for (const kind of ['close', 'reset', 'outage'] as const) {
    it(`${kind}: the line it fires on reaches no connection, and the report says it was lost`, () => {
      const spec: FaultSpec = { faults: [{ kind, channel: 'L1', at: { line: 2 } }] };
      const injector = new FaultInjector({ spec, seed: 1 });
      const a = connection(injector, 1, 'L1');
      a.offer(null, 'S,SERVER CONNECTED');
      a.offer('AAPL', row('AAPL', 0));
      a.offer('AAPL', row('AAPL', 1));
      const b = connection(injector, 2, 'L1');
      b.offer(null, 'S,SERVER CONNECTED');
      b.offer('AAPL', row('AAPL', 2));
      const delivered = [...a.rec.lines, ...b.rec.lines];
      expect(delivered).not.toContain(row('AAPL', 1));
      expect(b.rec.lines).toEqual(['S,SERVER CONNECTED', row('AAPL', 2)]);
      expect(a.rec.closes).toEqual([kind === 'reset' ? 'reset' : 'end']);
      const [f] = injector.report().injected;
      expect(f).toMatchObject({ kind, connection: 1, connectionLine: 2 });
      expect(f!.detail).toContain(`the line (${row('AAPL', 1).length} bytes) is lost`);
      if (kind === 'outage') {
        expect(f!.addedLine?.bytes).toBe('S,SERVER DISCONNECTED'.length);
        expect(f!.wireLine).toBe(2);
      } else {
        expect(f!.addedLine).toBeNull();
      }
    });
  }
});
