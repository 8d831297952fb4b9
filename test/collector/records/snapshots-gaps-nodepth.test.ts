import { describe, expect, it } from 'vitest';
import { easternIso } from '../../../common/eastern-time.js';
import { derive, JournalScript, ofKind, sides, T0 } from './helpers.js';

const ES = { symbols: ['@ESZ21'], families: { '@ESZ21': 'mbo' } } as const;

describe('Deriver: a snapshot interrupted by other lines keeps all its rows', () => {
  it('MBO: a T line inside the 6 rows ends the record but not the snapshot', () => {
    const j = new JournalScript().connectAll();
    j.l2('6,@ESZ21,648907593934,,B,4580.25,5,12440218202,2,20:32:47.333543,2021-10-24,');
    const first = j.l2('6,@ESZ21,648907593935,,B,4580.00,7,12440218203,2,20:32:47.333543,2021-10-24,');
    j.l2('T,20211024 20:32:48');
    const last = j.l2('6,@ESZ21,648907593936,,A,4580.50,3,12440218204,2,20:32:47.333543,2021-10-24,');
    const { deriver, records } = derive(j.entries, ES);
    const l2 = ofKind(records, 'l2');
    // Emission as before: the T line ends the burst's record, the next row starts another one.
    expect(l2.map((r) => r.seq)).toEqual([first, last]);
    expect(sides(l2[1])).toEqual({
      bids: [
        [4580.25, 5],
        [4580, 7],
      ],
      asks: [[4580.5, 3]],
    });
    const st = [...deriver.symbolStates()].find((s) => s.symbol === '@ESZ21')!;
    expect(st.mbo!.orderCount()).toBe(3);
  });

  it('MBP: bare O, S lines and T lines inside the 7 rows lose no level', () => {
    const j = new JournalScript().connectAll();
    j.l2('7,AAPL,B,585.33,18,1,4,09:30:00.004241,2025-07-25,');
    j.l2('O');
    j.l2('7,AAPL,B,585.30,200,2,4,09:30:00.004300,2025-07-25,');
    j.l2('S,CURRENT PROTOCOL,6.2,');
    j.l2('7,AAPL,A,585.94,200,1,4,09:30:00.004400,2025-07-25,');
    j.l2('T,20250725 09:30:01');
    const last = j.l2('7,AAPL,A,586.00,100,1,4,09:30:00.004500,2025-07-25,');
    const l2 = ofKind(derive(j.entries, { symbols: ['AAPL'] }).records, 'l2');
    expect(l2).toHaveLength(4);
    expect(l2.at(-1)!.seq).toBe(last);
    expect(sides(l2.at(-1)!)).toEqual({
      bids: [
        [585.33, 18],
        [585.3, 200],
      ],
      asks: [
        [585.94, 200],
        [586, 100],
      ],
    });
  });

  it("another symbol's live update inside a snapshot loses none of its rows", () => {
    const j = new JournalScript().connectAll();
    j.l2('6,@NQZ21,11,,B,16000.25,1,1,2,20:32:47.333543,2021-10-24,');
    j.l2('6,@NQZ21,12,,B,16000.00,2,2,2,20:32:47.333543,2021-10-24,');
    j.l2('3,@ESZ21,99,,A,4581.00,1,9,2,20:32:47.400000,2021-10-24,');
    j.l2('6,@NQZ21,13,,A,16000.50,3,3,2,20:32:47.333543,2021-10-24,');
    const opts = { symbols: ['@ESZ21', '@NQZ21'], families: { '@ESZ21': 'mbo', '@NQZ21': 'mbo' } } as const;
    const nq = ofKind(derive(j.entries, opts).records, 'l2').filter((r) => r.symbol === '@NQZ21');
    expect(sides(nq.at(-1)!)).toEqual({
      bids: [
        [16000.25, 1],
        [16000, 2],
      ],
      asks: [[16000.5, 3]],
    });
  });

  it('legacy Z rows and an unreadable summary row after a T line wipe nothing', () => {
    const j = new JournalScript().connectAll();
    j.l2('Z,IBM,CDRG,259.47,259.48,100,100,08:39:33.921132,2025-07-25,52,08:51:22.143166,T,T,F,');
    j.l2('T,20250725 09:30:00');
    j.l2('Z,IBM,CSTI,259.45,259.49,200,200,09:05:19.550580,2025-07-25,52,09:24:01.829914,T,T,F,');
    j.l2('7,AAPL,B,10.00,100,1,2,09:30:00.000001,2025-07-25,');
    j.l2('T,20250725 09:30:01');
    const bad = j.l2('7,AAPL,A,abc,100,1,2,09:30:00.000002,2025-07-25,');
    const { records } = derive(j.entries, { symbols: ['IBM', 'AAPL'], families: { IBM: 'mm', AAPL: 'mbp' } });
    const l2 = ofKind(records, 'l2');
    const ibm = l2.filter((r) => r.symbol === 'IBM');
    expect(sides(ibm.at(-1)!)).toEqual({
      bids: [
        [259.47, 100],
        [259.45, 200],
      ],
      asks: [
        [259.48, 100],
        [259.49, 200],
      ],
    });
    const aapl = l2.filter((r) => r.symbol === 'AAPL');
    expect(aapl.at(-1)!.seq).toBe(bad);
    expect(sides(aapl.at(-1)!)).toEqual({ bids: [[10, 100]], asks: [] });
  });

  it('a snapshot after a boundary starts the book over; one without a boundary is insert-or-replace', () => {
    const j = new JournalScript().connectAll();
    j.l2('7,AAPL,B,10.00,100,1,2,09:30:00.000001,2025-07-25,');
    j.l2('7,AAPL,A,10.05,100,1,2,09:30:00.000002,2025-07-25,');
    j.l2('8,AAPL,B,9.99,50,1,2,09:30:00.100000,2025-07-25,');
    // A summary row after live updates with no boundary between: nothing says the book is stale.
    const resent = j.l2('7,AAPL,B,10.00,120,1,2,09:30:00.200000,2025-07-25,');
    j.l2('S,SERVER DISCONNECTED');
    j.l2('S,SERVER CONNECTED');
    const after = j.l2('7,AAPL,A,10.06,100,1,2,09:30:01.000000,2025-07-25,');
    j.event('disconnect', 'L2');
    j.event('connect', 'L2');
    const reconnected = j.l2('7,AAPL,B,10.01,10,1,2,09:30:02.000000,2025-07-25,');
    const l2 = ofKind(derive(j.entries, { symbols: ['AAPL'] }).records, 'l2');
    const at = (seq: number) => sides(l2.find((r) => r.seq === seq)!);
    expect(at(resent)).toEqual({
      bids: [
        [10, 120],
        [9.99, 50],
      ],
      asks: [[10.05, 100]],
    });
    expect(at(after)).toEqual({ bids: [], asks: [[10.06, 100]] });
    expect(at(reconnected)).toEqual({ bids: [[10.01, 10]], asks: [] });
  });
});

describe('Deriver: S,CLEAR DEPTH during an outage', () => {
  it('clears the side but leaves the gap open until the first line with book state', () => {
    const t0 = T0;
    const j = new JournalScript().connectAll();
    j.l2('6,@ESZ22,1,,B,4000.25,5,1,2,10:00:00.000000,2022-11-01,', t0);
    j.l2('S,SERVER DISCONNECTED', t0 + 1_000_000);
    const cb = j.l2('S,CLEAR DEPTH,@ESZ22,B,', t0 + 1_001_000);
    j.l2('S,CLEAR DEPTH,@ESZ22,A,', t0 + 1_002_000);
    j.l2('S,SERVER CONNECTED', t0 + 61_000_000);
    const resync = j.l2('6,@ESZ22,2,,B,4001.00,5,1,2,10:01:01.500000,2022-11-01,', t0 + 61_500_000);
    const upTo = (n: number) => j.entries.filter((e) => e.seq <= n);
    const opts = { symbols: ['@ESZ22'], families: { '@ESZ22': 'mbo' } } as const;

    const during = derive(upTo(cb + 1), opts);
    expect(ofKind(during.records, 'gaps')).toEqual([]);
    expect(during.deriver.openGapCount('L2')).toBe(1);
    // The CLEAR DEPTH lines still clear the side and still yield their records.
    const cleared = ofKind(during.records, 'l2').find((r) => r.seq === cb)!;
    expect(sides(cleared)).toEqual({ bids: [], asks: [] });

    const { records, deriver } = derive(j.entries, opts);
    expect(ofKind(records, 'gaps')).toMatchObject([
      {
        seq: resync,
        reason: 'server-disconnected',
        timestamp: easternIso(t0 + 1_000_000),
        gap_end: easternIso(t0 + 61_500_000),
        duration_us: 60_500_000,
        channel: 'L2',
      },
    ]);
    expect(deriver.openGapCount('L2')).toBe(0);
  });
});

describe('Deriver: q (no depth available)', () => {
  it('counts and reports q symbols as n symbols are; q is no resync and yields no record', () => {
    const j = new JournalScript().connectAll();
    j.l2('q,AAPL');
    j.l2('n,XYZ');
    j.l2('q,AAPL');
    j.l2('q,MSFT');
    const { deriver, records } = derive(j.entries, { symbols: ['AAPL', 'XYZ', 'MSFT'] });
    expect(deriver.counts()).toMatchObject({ noDepth: 3, notFound: 1, errors: 0, malformed: 0 });
    expect(deriver.problems().noDepth).toEqual(['AAPL', 'MSFT']);
    expect(deriver.problems().notFound).toEqual(['XYZ']);
    expect(records).toEqual([]);
  });
});
