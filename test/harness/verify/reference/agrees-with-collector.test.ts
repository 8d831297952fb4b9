import { describe, expect, it } from 'vitest';
import { canonicalRecord } from '../../../../harness/verify/canonical.js';
import { expectedRecord } from '../../../../harness/verify/expected-index.js';
import type { JournalItem } from '../../../../harness/verify/journal-reader.js';
import { type Expected, ReferenceDeriver } from '../../../../harness/verify/reference/deriver.js';
import { derive, JournalScript, T0 } from '../../../collector/records/helpers.js';

/**
 * The journals of the snapshot, CLEAR DEPTH and gap rules, derived by the collector and by the
 * reference: the verification compares the two, so each rule must read the same in both.
 */
const SYMBOLS = ['@ESZ21', '@NQZ21', 'AAPL', 'IBM'];
const FAMILIES = { '@ESZ21': 'mbo', '@NQZ21': 'mbo', AAPL: 'mbp', IBM: 'mm' } as const;

function reference(j: JournalScript): Expected[] {
  const d = new ReferenceDeriver({ depth: 10, symbols: SYMBOLS });
  const out: Expected[] = [];
  for (const e of j.entries) {
    const item: JournalItem =
      e.type === 'line'
        ? { kind: 'line', seq: e.seq, channel: e.channel, line: e.line, receivedUs: e.receivedUs }
        : {
            kind: 'event',
            seq: e.seq,
            event: e.event,
            channel: e.channel,
            us: e.us,
            reason: e.reason ?? null,
          };
    d.push(item, out);
  }
  d.end(out);
  return out;
}

function both(j: JournalScript): { collector: string[]; reference: string[] } {
  const { records } = derive(j.entries, { symbols: SYMBOLS, families: FAMILIES });
  const collector = records.map((r) =>
    canonicalRecord(r.kind, JSON.parse(r.json) as Record<string, unknown>),
  );
  const ref = reference(j).map((e) => canonicalRecord(e.kind, expectedRecord(e, 'S1')));
  return { collector, reference: ref };
}

function expectAgreement(j: JournalScript): string[] {
  const { collector, reference: ref } = both(j);
  expect(ref).toEqual(collector);
  return ref;
}

describe('reference deriver agrees with the collector', () => {
  it('on snapshots with T, O, S and other symbols’ lines among their rows', () => {
    const j = new JournalScript().connectAll();
    j.l2('6,@ESZ21,648907593934,,B,4580.25,5,12440218202,2,20:32:47.333543,2021-10-24,');
    j.l2('6,@ESZ21,648907593935,,B,4580.00,7,12440218203,2,20:32:47.333543,2021-10-24,');
    j.l2('T,20211024 20:32:48');
    j.l2('6,@ESZ21,648907593936,,A,4580.50,3,12440218204,2,20:32:47.333543,2021-10-24,');
    j.l2('6,@NQZ21,11,,B,16000.25,1,1,2,20:32:47.333543,2021-10-24,');
    j.l2('3,@ESZ21,99,,A,4581.00,1,9,2,20:32:47.400000,2021-10-24,');
    j.l2('6,@NQZ21,13,,A,16000.50,3,3,2,20:32:47.333543,2021-10-24,');
    j.l2('7,AAPL,B,585.33,18,1,4,09:30:00.004241,2025-07-25,');
    j.l2('O');
    j.l2('7,AAPL,B,585.30,200,2,4,09:30:00.004300,2025-07-25,');
    j.l2('S,CURRENT PROTOCOL,6.2,');
    j.l2('7,AAPL,A,abc,200,1,4,09:30:00.004400,2025-07-25,');
    j.l2('T,20211024 20:32:49');
    j.l2('7,AAPL,A,bad,200,1,4,09:30:00.004400,2025-07-25,');
    j.l2('Z,IBM,CDRG,259.47,259.48,100,100,08:39:33.921132,2025-07-25,52,08:51:22.143166,T,T,F,');
    j.l2('T,20211024 20:32:50');
    j.l2('Z,IBM,CSTI,259.45,259.49,200,200,09:05:19.550580,2025-07-25,52,09:24:01.829914,T,T,F,');
    j.l2('8,AAPL,A,586.00,100,1,4,09:30:01.000000,2025-07-25,');
    j.l2('7,AAPL,B,585.30,150,2,4,09:30:02.000000,2025-07-25,');
    j.event('disconnect', 'L2');
    j.event('connect', 'L2');
    j.l2('7,AAPL,A,586.10,10,1,4,09:30:03.000000,2025-07-25,');
    const records = expectAgreement(j);
    const aapl = records.filter((r) => r.includes('"AAPL"') && r.includes('"bids"'));
    // The snapshot's bids survived the O, S and T lines; the one after the reconnect starts over.
    expect(aapl.at(-2)).toContain('"bids":[{"price":585.33,"size":18,"level":1},{"price":585.3,"size":150');
    expect(aapl.at(-1)).toContain('"bids":[]');
  });

  it('on S,CLEAR DEPTH during an outage: the gap runs until the first line with book state', () => {
    const j = new JournalScript().connectAll();
    j.l2('6,@ESZ21,1,,B,4000.25,5,1,2,10:00:00.000000,2022-11-01,', T0);
    j.l2('7,AAPL,B,10.00,100,1,2,10:00:00.000000,2022-11-01,', T0 + 1000);
    j.l2('S,SERVER DISCONNECTED', T0 + 1_000_000);
    j.l2('S,CLEAR DEPTH,@ESZ21,B,', T0 + 1_001_000);
    j.l2('S,CLEAR DEPTH,@ESZ21,A,', T0 + 1_002_000);
    j.l2('S,CLEAR DEPTH,AAPL,B,', T0 + 1_003_000);
    j.l2('S,SERVER CONNECTED', T0 + 61_000_000);
    j.l2('6,@ESZ21,2,,B,4001.00,5,1,2,10:01:01.500000,2022-11-01,', T0 + 61_500_000);
    j.l2('9,AAPL,B,10.00,10:01:01.600000,2022-11-01,', T0 + 61_600_000);
    const gaps = expectAgreement(j).filter((r) => r.includes('"gap_end"'));
    expect(gaps).toHaveLength(2);
    expect(gaps[0]).toContain('"duration_us":60500000');
    expect(gaps[1]).toContain('"duration_us":60600000');
  });
});
