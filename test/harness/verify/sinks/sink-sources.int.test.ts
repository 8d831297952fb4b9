import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from '@clickhouse/client';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { RECORD_KINDS, type RecordEnvelope, type RecordKind } from '../../../../collector/records/types.js';
import { ClickHouseSink } from '../../../../collector/sinks/clickhouse/clickhouse-sink.js';
import { JsonlSink } from '../../../../collector/sinks/jsonl/jsonl-sink.js';
import { KafkaSink } from '../../../../collector/sinks/kafka/kafka-sink.js';
import { systemClock } from '../../../../common/clock.js';
import { canonicalRecord, sha256, shortHash } from '../../../../harness/verify/canonical.js';
import type { ExpectedIndex } from '../../../../harness/verify/expected-index.js';
import { type SinkTally, tallySink } from '../../../../harness/verify/sink-tally.js';
import { clickhouseSource } from '../../../../harness/verify/sinks/clickhouse-source.js';
import { jsonlSource } from '../../../../harness/verify/sinks/jsonl-source.js';
import { kafkaSource } from '../../../../harness/verify/sinks/kafka-source.js';
import { sampleEnvelopes } from '../../../collector/sinks/clickhouse/sample-records.js';

const services = inject('services');

/** The index the verifier would build from a journal, built here from the records themselves. */
function indexOf(session: string, envelopes: readonly RecordEnvelope[]): ExpectedIndex {
  const size = Math.max(...envelopes.map((e) => e.seq)) + 1;
  const hashes = Object.fromEntries(RECORD_KINDS.map((k) => [k, new Float64Array(size)])) as Record<
    RecordKind,
    Float64Array
  >;
  const symbolOf = Object.fromEntries(RECORD_KINDS.map((k) => [k, new Int32Array(size)])) as Record<
    RecordKind,
    Int32Array
  >;
  const symbols: string[] = [];
  const counts: Record<string, number> = {};
  for (const e of envelopes) {
    let s = symbols.indexOf(e.symbol);
    if (s < 0) s = symbols.push(e.symbol) - 1;
    hashes[e.kind][e.seq] = shortHash(
      sha256(canonicalRecord(e.kind, e.record as unknown as Record<string, unknown>)),
    );
    symbolOf[e.kind][e.seq] = s;
    counts[`${e.kind}/${e.symbol}`] = (counts[`${e.kind}/${e.symbol}`] ?? 0) + 1;
  }
  return {
    session,
    journalLines: size - 1,
    hashes,
    symbolOf,
    symbols,
    counts,
    last: new Map(),
    referenceIntegrity: { unknownDeletes: 0 },
  };
}

function digests(t: SinkTally): Record<string, string> {
  return Object.fromEntries([...t.keys].map(([k, v]) => [k, v.digest.toString()]));
}

const dir = await mkdtemp(join(tmpdir(), 'l2h-sink-sources-'));
const admin = createClient({ url: services.clickhouse.url });
afterAll(async () => {
  await admin.close();
  await rm(dir, { recursive: true, force: true });
});

describe(`sink read-back sources: ClickHouse ${services.clickhouse.source} ${services.clickhouse.version}, Kafka ${services.kafka.source} ${services.kafka.version}`, () => {
  it('JSONL, ClickHouse and Kafka hold the same records: no loss, no mismatch, equal digests; duplicates counted per sink', async () => {
    const session = `s-${randomUUID()}`;
    const envelopes = sampleEnvelopes({ session, count: 3000, seed: 31337 });
    const index = indexOf(session, envelopes);
    const database = `l2h_src_${randomUUID().replace(/-/g, '').slice(0, 10)}`;
    const prefix = `v${randomUUID().replace(/-/g, '').slice(0, 10)}.`;

    const jsonl = new JsonlSink({ dataDir: dir, session });
    const ch = new ClickHouseSink({ url: services.clickhouse.url, database }, { clock: systemClock });
    const kafka = new KafkaSink({ brokers: services.kafka.brokers, session, topicPrefix: prefix }, {});
    await Promise.all([jsonl.open(), ch.open(), kafka.open()]);
    for (const t of ['l2_snapshots', 'l1_quotes', 'ticks', 'gaps'])
      await admin.command({ query: `SYSTEM STOP MERGES ${database}.${t}` });
    await jsonl.write(envelopes);
    // A retried batch: its first 500 records reach ClickHouse and Kafka twice.
    const again = envelopes.slice(0, 500);
    for (const sink of [ch, kafka]) {
      await sink.write(envelopes);
      await sink.write(again);
    }
    await Promise.all([jsonl.close(), ch.close(), kafka.close()]);

    const fromJsonl = await tallySink(index, jsonlSource(dir));
    const fromCh = await tallySink(index, clickhouseSource({ url: services.clickhouse.url, database }));
    const fromKafka = await tallySink(
      index,
      kafkaSource({ brokers: services.kafka.brokers, topicPrefix: prefix }),
    );

    for (const t of [fromJsonl, fromCh, fromKafka]) {
      expect(t.totals, t.name).toMatchObject({
        expected: envelopes.length,
        present: envelopes.length,
        lost: 0,
        unexpected: 0,
        mismatched: 0,
        unparseable: 0,
      });
    }
    expect(fromJsonl.totals).toMatchObject({ duplicated: 0, collapsedDuplicates: 0 });
    // ClickHouse collapsed the copies under FINAL and says how many there were.
    expect(fromCh.totals).toMatchObject({ duplicated: 0, collapsedDuplicates: again.length });
    expect(fromCh.dedup).toBe('FINAL');
    // Kafka keeps them: the verifier sees and counts each one.
    expect(fromKafka.totals).toMatchObject({ duplicated: again.length, collapsedDuplicates: 0 });
    expect(digests(fromCh)).toEqual(digests(fromJsonl));
    expect(digests(fromKafka)).toEqual(digests(fromJsonl));
  });

  it('a record changed in ClickHouse shows up as a mismatch at its place', async () => {
    const session = `s-${randomUUID()}`;
    const envelopes = sampleEnvelopes({ session, count: 40, seed: 2 });
    const database = `l2h_src_${randomUUID().replace(/-/g, '').slice(0, 10)}`;
    const ch = new ClickHouseSink({ url: services.clickhouse.url, database }, { clock: systemClock });
    await ch.open();
    await ch.write(envelopes);
    await ch.close();
    // A later version of seq 2 (an l1 quote) with another bid: FINAL keeps the higher ver.
    await admin.command({
      query: `INSERT INTO ${database}.l1_quotes SELECT symbol, timestamp, 1.25, bid_size, ask, ask_size, spread, mid_price, session, seq, ts_us, day, ver + 1 FROM ${database}.l1_quotes WHERE seq = 2`,
    });
    const tally = await tallySink(
      indexOf(session, envelopes),
      clickhouseSource({ url: services.clickhouse.url, database }),
    );
    expect(tally.totals).toMatchObject({ present: envelopes.length, mismatched: 1, lost: 0 });
    expect(tally.firstMismatched[0]).toMatchObject({
      kind: 'l1',
      seq: 2,
      where: expect.stringContaining(`${database}.l1_quotes/`),
    });
  });
});
