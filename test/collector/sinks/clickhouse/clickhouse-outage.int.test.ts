import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import type { RecordEnvelope } from '../../../../collector/records/types.js';
import { ClickHouseSink } from '../../../../collector/sinks/clickhouse/clickhouse-sink.js';
import { isRetriable } from '../../../../collector/sinks/retry.js';
import { systemClock } from '../../../../common/clock.js';
import { L2hError } from '../../../../common/errors.js';
import { silentLogger } from '../../../../common/logger.js';
import { clickhouseSource } from '../../../../harness/verify/sinks/clickhouse-source.js';
import type { SinkRecord } from '../../../../harness/verify/sinks/source.js';
import { provisionClickHouse } from '../../../../services/index.js';
import { pollUntil } from '../../../../services/shared/poll.js';
import { envWithout } from '../../../services/support.js';
import { sampleEnvelopes } from './sample-records.js';

// A server of our own, not the suite's shared one: these tests take it down.
const ch = await provisionClickHouse({}, { logger: silentLogger, env: envWithout('CLICKHOUSE_URL') });
afterAll(() => ch.stop());

async function readAll(database: string): Promise<SinkRecord[]> {
  const out: SinkRecord[] = [];
  for await (const batch of clickhouseSource({ url: ch.url, database }).batches()) out.push(...batch);
  return out;
}

/** What the sink runner does with a retriable failure: try the same batch again until it lands. */
async function writeUntilAccepted(sink: ClickHouseSink, batch: readonly RecordEnvelope[]): Promise<number> {
  let failures = 0;
  await pollUntil(
    async () => {
      try {
        await sink.write(batch);
        return true;
      } catch (err) {
        if (!isRetriable(err)) throw new Error(`not retriable: ${String(err)}`);
        failures++;
        throw err;
      }
    },
    { clock: systemClock, timeoutMs: 30_000, intervalMs: 100, what: 'ClickHouse to accept the batch again' },
  );
  return failures;
}

function seqsOf(records: readonly SinkRecord[]): number[] {
  return records.map((r) => r.record?.['seq'] as number).sort((a, b) => a - b);
}

describe(`ClickHouse sink through an outage of ${ch.describe()}`, () => {
  it('rejects retriably while the server is down, then stores the same batch once it is back: nothing lost', async () => {
    const database = `l2h_outage_${randomUUID().replace(/-/g, '').slice(0, 8)}`;
    const session = `s-${randomUUID()}`;
    const all = sampleEnvelopes({ session, count: 3000, seed: 99 });
    const sink = new ClickHouseSink(
      { url: ch.url, database, requestTimeoutMs: 3_000 },
      { clock: systemClock, logger: silentLogger },
    );
    await sink.open();
    await sink.write(all.slice(0, 1000));

    await ch.pause();
    try {
      const err = await sink.write(all.slice(1000, 2000)).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(L2hError);
      expect(err).toMatchObject({
        retriable: true,
        code: expect.stringMatching(/SERVICE_UNAVAILABLE|TIMEOUT/),
      });
    } finally {
      await ch.resume();
    }
    await writeUntilAccepted(sink, all.slice(1000, 2000));
    await sink.write(all.slice(2000));
    await sink.close();

    const records = await readAll(database);
    expect(records.length).toBe(all.length);
    expect(seqsOf(records)).toEqual(all.map((e) => e.seq));
    const bySeq = new Map(records.map((r) => [r.record?.['seq'], r.record]));
    for (const env of all) expect(JSON.stringify(bySeq.get(env.seq))).toBe(env.json);
  });

  it('opens while the server is down and creates its schema once it is back', async () => {
    const database = `l2h_late_${randomUUID().replace(/-/g, '').slice(0, 8)}`;
    const batch = sampleEnvelopes({ session: `s-${randomUUID()}`, count: 400, seed: 5 });
    const sink = new ClickHouseSink(
      { url: ch.url, database, requestTimeoutMs: 3_000 },
      { clock: systemClock, logger: silentLogger },
    );
    await ch.pause();
    try {
      await sink.open();
      expect(sink.stats.schemaReady).toBe(false);
      await expect(sink.write(batch)).rejects.toMatchObject({ retriable: true });
    } finally {
      await ch.resume();
    }
    await writeUntilAccepted(sink, batch);
    await sink.close();
    expect(sink.stats.schemaReady).toBe(true);
    expect(seqsOf(await readAll(database))).toEqual(batch.map((e) => e.seq));
  });
});
