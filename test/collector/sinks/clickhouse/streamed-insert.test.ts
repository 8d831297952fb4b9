import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { RecordEnvelope, RecordKind } from '../../../../collector/records/types.js';
import { ClickHouseSink } from '../../../../collector/sinks/clickhouse/clickhouse-sink.js';
import { RowBinaryWriter } from '../../../../collector/sinks/clickhouse/row-binary.js';
import { encodeRows } from '../../../../collector/sinks/clickhouse/rows.js';
import { expectedColumns } from '../../../../collector/sinks/clickhouse/schema.js';
import { systemClock } from '../../../../common/clock.js';
import { silentLogger } from '../../../../common/logger.js';
import { sampleEnvelopes } from './sample-records.js';

/** A clock on which every time slice is used up at once: the sink yields at every check. */
function everySliceDue() {
  let us = 0;
  return { ...systemClock, monoUs: () => (us += 1_000_000) };
}

/**
 * A stand-in ClickHouse HTTP endpoint: it answers the schema statements as a server with the
 * tables would, and refuses an INSERT with a ClickHouse error as soon as the first bytes of its
 * body arrive, as a server does that fails mid-insert. It counts the body bytes it received.
 */
async function refusingServer() {
  let insertBytes = 0;
  let inserts = 0;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const query = new URL(req.url ?? '/', 'http://x').searchParams.get('query') ?? '';
    if (query.startsWith('INSERT')) {
      inserts++;
      let answered = false;
      req.on('data', (chunk: Buffer) => {
        insertBytes += chunk.length;
        if (answered) return;
        answered = true;
        res.writeHead(500, { 'Content-Type': 'text/plain' });
        res.end('Code: 241, e.displayText() = DB::Exception: Memory limit (for query) exceeded\n');
      });
      return;
    }
    let body = '';
    req.on('data', (c: Buffer) => {
      body += c.toString();
    });
    req.on('end', () => {
      const sql = `${query} ${body}`;
      const table = /table = '(\w+)'/.exec(sql)?.[1];
      const kinds: Record<string, RecordKind> = {
        l2_snapshots: 'l2',
        l1_quotes: 'l1',
        ticks: 'ticks',
        gaps: 'gaps',
      };
      const kind = kinds[table ?? ''];
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.end(
        kind
          ? expectedColumns(kind)
              .map((c) => `${JSON.stringify(c)}\n`)
              .join('')
          : '',
      );
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    get insertBytes() {
      return insertBytes;
    },
    get inserts() {
      return inserts;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

let cleanup: (() => Promise<void>) | null = null;
afterEach(async () => {
  await cleanup?.();
  cleanup = null;
});

describe('ClickHouse sink: an insert streams its body as it is encoded', () => {
  it('stops encoding and sending when the server refuses the insert before the body is whole', async () => {
    const server = await refusingServer();
    const sink = new ClickHouseSink(
      { url: server.url, database: 'l2h' },
      { clock: everySliceDue(), logger: silentLogger },
    );
    cleanup = async () => {
      await sink.close();
      await server.close();
    };
    const ticks = sampleEnvelopes({ session: 's', count: 40_000, seed: 7 }).filter((e) => e.kind === 'ticks');
    expect(ticks.length).toBeGreaterThan(5_000);
    const whole = new RowBinaryWriter();
    encodeRows(whole, 'ticks', ticks, 1);
    // The records the sink encoded: every row starts by reading its envelope's line bytes (grouping
    // by kind reads only `kind`). Once the request has failed, @clickhouse/client destroys it, so
    // the bytes the server got cannot tell whether the sink went on encoding; this can.
    const encoded = new Set<RecordEnvelope>();
    const watched = ticks.map(
      (env) =>
        new Proxy(env, {
          get(target, key, receiver) {
            if (key === 'lineBytes') encoded.add(target);
            return Reflect.get(target, key, receiver);
          },
        }),
    );

    await expect(sink.write(watched)).rejects.toMatchObject({ context: { clickhouseCode: 241 } });
    expect(server.inserts).toBe(1);
    expect(encoded.size).toBeGreaterThan(0);
    expect(encoded.size).toBeLessThan(ticks.length / 2);
    // Sent whole once encoded (~1 MB, one write into the socket), all of it reached the server
    // (measured: 1,022,332 of 1,022,332 bytes); streamed, the sink stopped after a few slices
    // (78,582).
    expect(server.insertBytes).toBeGreaterThan(0);
    expect(server.insertBytes).toBeLessThan(whole.length / 2);
  });
});
