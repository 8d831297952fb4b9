import { describe, expect, it } from 'vitest';
import { easternIso } from '../../../common/eastern-time.js';
import { derive, JournalScript, ofKind, parsed, sides, T0 } from './helpers.js';

const FIELDS =
  'S,CURRENT UPDATE FIELDNAMES,Symbol,Most Recent Trade,Most Recent Trade Size,Most Recent Trade Time,' +
  'Most Recent Trade Market Center,Total Volume,Bid,Bid Size,Ask,Ask Size,Open,High,Low,Close,Message Contents,' +
  'Most Recent Trade Conditions,TickID,Bid Time,Ask Time,Most Recent Trade Date';

describe('Deriver: market by price', () => {
  function tape(): JournalScript {
    const j = new JournalScript().connectAll();
    j.l2('T,20250725 09:30:00');
    j.l2('7,AAPL,B,585.33,18,1,4,09:30:00.004241,2025-07-25,');
    j.l2('7,AAPL,B,585.30,200,2,4,09:30:00.004300,2025-07-25,');
    j.l2('7,AAPL,A,585.94,200,1,4,09:30:00.004400,2025-07-25,');
    j.l2('7,AAPL,A,586.00,100,1,4,09:30:00.004500,2025-07-25,');
    j.l2('8,AAPL,B,585.33,25,2,4,09:30:01.000001,2025-07-25,');
    j.l2('9,AAPL,A,585.94,09:30:02.5,2025-07-25,');
    return j;
  }

  it('yields one record per summary burst and one per update, with the hand-checked books', () => {
    const { records } = derive(tape().entries, { symbols: ['AAPL'] });
    const l2 = ofKind(records, 'l2');
    expect(l2.map((r) => r.seq)).toEqual([5, 6, 7]);
    // The exact JSON: key order of CONTRACTS §2, shortest numbers, exact spread and mid.
    expect(records[0].json).toBe(
      '{"symbol":"AAPL","timestamp":"2025-07-25T09:30:00.004500",' +
        '"bids":[{"price":585.33,"size":18,"level":1},{"price":585.3,"size":200,"level":2}],' +
        '"asks":[{"price":585.94,"size":200,"level":1},{"price":586,"size":100,"level":2}],' +
        '"total_bid_size":218,"total_ask_size":300,"spread":0.61,"mid_price":585.635,"session":"S1","seq":5}',
    );
    expect(sides(l2[1])).toEqual({
      bids: [
        [585.33, 25],
        [585.3, 200],
      ],
      asks: [
        [585.94, 200],
        [586, 100],
      ],
    });
    expect(l2[1].total_bid_size).toBe(225);
    expect(l2[1].timestamp).toBe('2025-07-25T09:30:01.000001');
    expect(sides(l2[2])).toEqual({
      bids: [
        [585.33, 25],
        [585.3, 200],
      ],
      asks: [[586, 100]],
    });
    expect(l2[2]).toMatchObject({
      spread: 0.67,
      mid_price: 585.665,
      timestamp: '2025-07-25T09:30:02.500000',
    });
    expect(records.map((r) => r.day)).toEqual(['20250725', '20250725', '20250725']);
  });

  it('caps levels at the depth and totals only the levels in the record', () => {
    const { records } = derive(tape().entries, { symbols: ['AAPL'], depth: 1 });
    const first = parsed(records)[0];
    expect(sides(first)).toEqual({ bids: [[585.33, 18]], asks: [[585.94, 200]] });
    expect(first).toMatchObject({ total_bid_size: 18, total_ask_size: 200 });
  });

  it('lets a snapshot after a reconnect replace the whole book, and writes null spread and mid for an empty side', () => {
    const j = tape();
    j.event('disconnect', 'L2');
    j.event('connect', 'L2');
    j.l2('T,20250725 09:30:03');
    const seq = j.l2('7,AAPL,B,584.00,10,1,4,09:30:03.000001,2025-07-25,');
    const l2 = ofKind(derive(j.entries).records, 'l2');
    const last = l2[l2.length - 1];
    expect(last.seq).toBe(seq);
    expect(sides(last)).toEqual({ bids: [[584, 10]], asks: [] });
    expect(last).toMatchObject({ total_ask_size: 0, spread: null, mid_price: null });
  });
});

describe('Deriver: market by order', () => {
  it('aggregates orders by price through add, update, delete and insert-or-replace', () => {
    const j = new JournalScript().connectAll();
    j.l2('T,20250725 09:30:00');
    j.l2('6,@ESU25,1001,,B,6400.25,5,100,2,09:29:59.000001,2025-07-25,');
    j.l2('6,@ESU25,1002,,B,6400.25,3,101,2,09:29:59.000002,2025-07-25,');
    j.l2('6,@ESU25,1003,,A,6400.50,7,102,2,09:29:59.000003,2025-07-25,');
    j.l2('3,@ESU25,1004,,B,6400.00,4,103,2,09:30:00.100000,2025-07-25,');
    j.l2('4,@ESU25,1002,,B,6400.00,6,101,2,09:30:00.200000,2025-07-25,');
    j.l2('5,@ESU25,1001,,B,,2025-07-25,');
    j.l2('0,@ESU25,1003,,A,6400.75,2,102,2,09:30:00.300000,2025-07-25,');
    const l2 = ofKind(derive(j.entries).records, 'l2');
    expect(l2.map((r) => r.seq)).toEqual([4, 5, 6, 7, 8]);
    expect(sides(l2[0])).toEqual({ bids: [[6400.25, 8]], asks: [[6400.5, 7]] });
    expect(l2[0]).toMatchObject({
      spread: 0.25,
      mid_price: 6400.375,
      timestamp: '2025-07-25T09:29:59.000003',
    });
    expect(sides(l2[1]).bids).toEqual([
      [6400.25, 8],
      [6400, 4],
    ]);
    expect(sides(l2[2]).bids).toEqual([
      [6400.25, 5],
      [6400, 10],
    ]);
    // `5` carries no time: the last T line's time stands in.
    expect(l2[3]).toMatchObject({ timestamp: '2025-07-25T09:30:00.000000' });
    expect(sides(l2[3]).bids).toEqual([[6400, 10]]);
    expect(sides(l2[4]).asks).toEqual([[6400.75, 2]]);
  });

  it('keys Nasdaq market-maker rows (no order id) by MMID and side', () => {
    const j = new JournalScript().connectAll();
    j.l2('6,QQQ,,AMEX,A,408.84,100,,4,17:52:38.059128,2022-04-01,');
    j.l2('6,QQQ,,NSDQ,A,408.84,200,,4,17:52:38.059129,2022-04-01,');
    j.l2('6,QQQ,,NSDQ,B,408.80,300,,4,17:52:38.059130,2022-04-01,');
    j.l2('4,QQQ,,AMEX,A,408.85,100,,4,17:52:39.000000,2022-04-01,');
    j.l2('5,QQQ,,NSDQ,A,,2022-04-01,');
    const l2 = ofKind(derive(j.entries).records, 'l2');
    expect(l2.map((r) => sides(r))).toEqual([
      { bids: [[408.8, 300]], asks: [[408.84, 300]] },
      {
        bids: [[408.8, 300]],
        asks: [
          [408.84, 200],
          [408.85, 100],
        ],
      },
      { bids: [[408.8, 300]], asks: [[408.85, 100]] },
    ]);
    expect(l2.map((r) => r.timestamp)).toEqual([
      '2022-04-01T17:52:38.059130',
      '2022-04-01T17:52:39.000000',
      // No T line yet and no time on the line: the date is the line's, the time the receive time's.
      `2022-04-01T${easternIso(T0 + 5000).slice(11)}`,
    ]);
  });
});

describe('Deriver: market maker (legacy Z/2/U)', () => {
  it('aggregates valid quote sides across makers and stamps the later of bid and ask time', () => {
    const j = new JournalScript().connectAll();
    j.l2('T,20250725 09:30:00');
    j.l2('Z,IBM,CDRG,259.47,259.48,100,100,08:39:33.921132,2025-07-25,52,08:51:22.143166,T,T,F,');
    j.l2('Z,IBM,CSTI,259.45,259.49,200,200,09:05:19.550580,2025-07-25,52,09:24:01.829914,T,T,F,');
    j.l2('Z,IBM,GSCO,259.47,0.,300,0,09:18:32.770930,2025-07-25,52,99:99:99,T,F,T,');
    j.l2('2,IBM,CDRG,259.46,259.50,100,300,09:30:01.000000,2025-07-25,52,09:30:00.500000,T,T,T,');
    j.l2('U,IBM,BOSX,0.,0.,0,0,99:99:99,2025-07-25,20,52,12,99:99:99,F,F,');
    j.l2('U,IBM,NSDQ,259.44,259.51,100,50,09:30:02,2025-07-25,20,52,5,09:30:03,T,T,');
    const l2 = ofKind(derive(j.entries).records, 'l2');
    expect(l2.map((r) => r.seq)).toEqual([4, 5, 6, 7]);
    expect(sides(l2[0])).toEqual({
      bids: [
        [259.47, 400],
        [259.45, 200],
      ],
      asks: [
        [259.48, 100],
        [259.49, 200],
      ],
    });
    expect(l2[0].timestamp).toBe('2025-07-25T09:18:32.770930');
    expect(sides(l2[1])).toEqual({
      bids: [
        [259.47, 300],
        [259.46, 100],
        [259.45, 200],
      ],
      asks: [
        [259.49, 200],
        [259.5, 300],
      ],
    });
    expect(l2[1].timestamp).toBe('2025-07-25T09:30:01.000000');
    // A maker with no valid side adds nothing; with no time on the row, the T line's time.
    expect(sides(l2[2])).toEqual(sides(l2[1]));
    expect(l2[2].timestamp).toBe('2025-07-25T09:30:00.000000');
    expect(sides(l2[3])).toEqual({
      bids: [
        [259.47, 300],
        [259.46, 100],
        [259.45, 200],
        [259.44, 100],
      ],
      asks: [
        [259.49, 200],
        [259.5, 300],
        [259.51, 50],
      ],
    });
    expect(l2[3].timestamp).toBe('2025-07-25T09:30:03.000000');
  });
});

describe('Deriver: summary bursts', () => {
  it('ends a burst at another symbol, a T line or an event, but not at an L1 line', () => {
    const j = new JournalScript().connectAll();
    const a1 = j.l2('7,AAPL,B,10.00,100,1,2,09:30:00.000001,2025-07-25,');
    const q = j.l1('Q,AAPL,10.02,100,09:30:00.000001,11,100,10.00,100,10.05,100,,,,,C,01,');
    const a2 = j.l2('7,AAPL,A,10.05,100,1,2,09:30:00.000002,2025-07-25,');
    const m1 = j.l2('7,MSFT,B,20.00,100,1,2,09:30:00.000003,2025-07-25,');
    j.l2('T,20250725 09:30:01');
    const m2 = j.l2('7,MSFT,A,20.10,50,1,2,09:30:01.000001,2025-07-25,');
    j.event('disconnect', 'L2');
    const { deriver, records } = derive(j.entries, { symbols: ['AAPL', 'MSFT'] }, false);
    expect(records.map((r) => `${r.kind}/${r.symbol}@${r.seq}`)).toEqual([
      `l1/AAPL@${q}`,
      `ticks/AAPL@${q}`,
      `l2/AAPL@${a2}`,
      `l2/MSFT@${m1}`,
      `l2/MSFT@${m2}`,
    ]);
    expect(a1).toBe(1);
    const l2 = ofKind(records, 'l2');
    expect(sides(l2[0])).toEqual({ bids: [[10, 100]], asks: [[10.05, 100]] });
    // The T line ended the first record, not the snapshot: the second record keeps the bid.
    expect(sides(l2[2])).toEqual({ bids: [[20, 100]], asks: [[20.1, 50]] });
    expect(deriver.safeSeq).toBe(j.entries.at(-1)!.seq - 1);
  });

  it('keeps safeSeq below a pending burst while later records go out', () => {
    const j = new JournalScript().connectAll();
    j.l2('7,AAPL,B,10.00,100,1,2,09:30:00.000001,2025-07-25,');
    j.l1('Q,AAPL,10.02,100,09:30:00.000001,11,100,10.00,100,10.05,100,,,,,C,01,');
    const { deriver, records } = derive(j.entries, { symbols: ['AAPL'] }, false);
    expect(records.map((r) => r.seq)).toEqual([2, 2]);
    expect(deriver.lastSeq).toBe(2);
    expect(deriver.safeSeq).toBe(0);
    const rest: typeof records = [];
    deriver.end(rest);
    expect(rest.map((r) => `${r.kind}@${r.seq}`)).toEqual(['l2@1']);
    expect(deriver.safeSeq).toBe(2);
  });
});

describe('Deriver: connection boundaries and gaps', () => {
  it('clears books, forgets quotes and opens a gap per watched symbol at a reconnect', () => {
    const j = new JournalScript().connectAll();
    j.l2('7,AAPL,B,10.00,100,1,2,09:30:00.000001,2025-07-25,', T0 + 1000);
    j.l2('8,AAPL,A,10.05,100,1,2,09:30:00.000002,2025-07-25,', T0 + 2000);
    j.l1('Q,AAPL,10.02,100,09:30:00.000001,11,100,10.00,100,10.05,100,,,,,b,01,', T0 + 3000);
    j.event('disconnect', 'L2', T0 + 50_000, 'disconnect');
    j.event('disconnect', 'L1', T0 + 50_000, 'stale-feed');
    j.event('connect', 'L2', T0 + 100_000);
    j.event('connect', 'L1', T0 + 100_000);
    j.l2('T,20250725 09:30:00', T0 + 150_000);
    const a = j.l2('7,AAPL,A,10.06,100,1,2,09:30:00.200000,2025-07-25,', T0 + 200_000);
    const q = j.l1('Q,AAPL,10.02,100,09:30:00.000001,11,100,10.00,100,10.05,100,,,,,b,01,', T0 + 210_000);
    const m = j.l2('8,MSFT,B,20.00,100,1,2,09:30:00.300000,2025-07-25,', T0 + 220_000);
    const { records, deriver } = derive(j.entries, { symbols: ['AAPL', 'MSFT'] });
    const gaps = ofKind(records, 'gaps');
    const start = easternIso(T0 + 3000);
    expect(gaps).toEqual([
      {
        symbol: 'AAPL',
        timestamp: start,
        gap_end: easternIso(T0 + 200_000),
        duration_us: 197_000,
        reason: 'disconnect',
        channel: 'L2',
        session: 'S1',
        seq: a,
      },
      {
        symbol: 'AAPL',
        timestamp: start,
        gap_end: easternIso(T0 + 210_000),
        duration_us: 207_000,
        reason: 'stale-feed',
        channel: 'L1',
        session: 'S1',
        seq: q,
      },
      {
        symbol: 'MSFT',
        timestamp: start,
        gap_end: easternIso(T0 + 220_000),
        duration_us: 217_000,
        reason: 'disconnect',
        channel: 'L2',
        session: 'S1',
        seq: m,
      },
    ]);
    // The book started over: the old bid is gone.
    const l2 = ofKind(records, 'l2').filter((r) => r.symbol === 'AAPL');
    expect(sides(l2.at(-1)!)).toEqual({ bids: [], asks: [[10.06, 100]] });
    // The same quote as before the boundary is a quote again: the last one was forgotten.
    expect(ofKind(records, 'l1').map((r) => r.seq)).toEqual([3, q]);
    // MSFT's L1 gap is still open at the end: no record for it.
    expect(deriver.openGapCount('L1')).toBe(1);
    expect(records.filter((r) => r.kind === 'gaps').map((r) => r.seq)).toEqual([a, q, m]);
  });

  it('treats the session\'s first connect as no boundary, and labels a restart gap "restart"', () => {
    const j = new JournalScript().connectAll();
    j.l2('8,AAPL,B,10.00,100,1,2,09:30:00.000001,2025-07-25,', T0 + 5000);
    j.event('disconnect', 'L2', T0 + 5000, 'restart');
    j.event('connect', 'L2', T0 + 9_000_000);
    const s = j.l2('8,AAPL,B,10.01,100,1,2,09:30:09.000000,2025-07-25,', T0 + 9_000_001);
    const gaps = ofKind(derive(j.entries, { symbols: ['AAPL'] }).records, 'gaps');
    expect(gaps).toMatchObject([
      { seq: s, reason: 'restart', timestamp: easternIso(T0 + 5000), duration_us: 8_995_001 },
    ]);
  });

  it('opens a gap at S,SERVER DISCONNECTED and starts the books over at the S,SERVER CONNECTED after it', () => {
    const j = new JournalScript().connectAll();
    j.l2('8,AAPL,B,9.99,100,1,2,09:30:00.000001,2025-07-25,');
    j.l2('8,AAPL,A,10.05,100,1,2,09:30:00.000002,2025-07-25,');
    j.l2('S,SERVER CONNECTED'); // not after a DISCONNECTED: changes nothing
    const down = j.l2('S,SERVER DISCONNECTED', T0 + 100_000);
    j.l2('S,SERVER CONNECTED', T0 + 200_000);
    const s = j.l2('8,AAPL,B,10.00,100,1,2,09:30:00.300000,2025-07-25,', T0 + 300_000);
    const { records } = derive(j.entries, { symbols: ['AAPL'] });
    expect(ofKind(records, 'gaps')).toMatchObject([
      {
        seq: s,
        reason: 'server-disconnected',
        timestamp: easternIso(T0 + 100_000),
        channel: 'L2',
        duration_us: 200_000,
      },
    ]);
    expect(down).toBe(4);
    expect(sides(ofKind(records, 'l2').at(-1)!)).toEqual({ bids: [[10, 100]], asks: [] });
  });

  it('forgets L1 quotes at an L1 S,SERVER CONNECTED after DISCONNECTED', () => {
    const q = 'Q,AAPL,10.02,100,09:30:00.000001,11,100,10.00,100,10.05,100,,,,,b,01,';
    const j = new JournalScript().connectAll();
    j.l1(q);
    j.l1(q);
    j.l1('S,SERVER DISCONNECTED');
    j.l1('S,SERVER CONNECTED');
    const again = j.l1(q);
    const { records } = derive(j.entries, { symbols: ['AAPL'] });
    expect(ofKind(records, 'l1').map((r) => r.seq)).toEqual([1, again]);
    expect(ofKind(records, 'gaps')).toMatchObject([
      { seq: again, channel: 'L1', reason: 'server-disconnected' },
    ]);
  });
});

describe('Deriver: L1 quotes and ticks', () => {
  it('yields a quote when bid, sizes or ask change and a tick on C/E/O, with the documented timestamps', () => {
    const j = new JournalScript().connectAll();
    j.l1(FIELDS);
    j.l1('T,20250725 09:30:00');
    const p = j.l1(
      'P,AAPL,213.9000,100,19:59:53.796724,26,0,213.8800,300,213.9100,700,,,,213.8800,Cbac,8717,992835853,08:45:14.567876,08:38:36.531496,07/24/2025,',
    );
    const t = j.l1(
      'Q,AAPL,213.9100,50,09:30:00.100000,19,50,213.8800,300,213.9100,700,,,,213.8800,C,01,992835854,08:45:14.567876,08:38:36.531496,07/25/2025,',
    );
    const b = j.l1(
      'Q,AAPL,213.9100,50,09:30:00.100000,19,50,213.8900,100,213.9100,700,,,,213.8800,b,01,992835854,09:30:00.200000,08:38:36.531496,07/25/2025,',
    );
    const e = j.l1(
      'Q,AAPL,213.9200,10,09:30:00.300000,11,60,213.8900,100,213.9100,700,,,,213.8800,Ea,,,09:30:00.200000,09:30:00.300000,07/25/2025,',
    );
    const { records } = derive(j.entries, { symbols: ['AAPL'] });
    expect(ofKind(records, 'l1')).toEqual([
      {
        symbol: 'AAPL',
        timestamp: '2025-07-25T08:45:14.567876',
        bid: 213.88,
        bid_size: 300,
        ask: 213.91,
        ask_size: 700,
        spread: 0.03,
        mid_price: 213.895,
        session: 'S1',
        seq: p,
      },
      {
        symbol: 'AAPL',
        timestamp: '2025-07-25T09:30:00.200000',
        bid: 213.89,
        bid_size: 100,
        ask: 213.91,
        ask_size: 700,
        spread: 0.02,
        mid_price: 213.9,
        session: 'S1',
        seq: b,
      },
    ]);
    expect(ofKind(records, 'ticks')).toEqual([
      {
        symbol: 'AAPL',
        timestamp: '2025-07-25T09:30:00.100000',
        price: 213.91,
        size: 50,
        conditions: '01',
        market_center: 19,
        total_volume: 50,
        tick_id: 992835854,
        session: 'S1',
        seq: t,
      },
      {
        symbol: 'AAPL',
        timestamp: '2025-07-25T09:30:00.300000',
        price: 213.92,
        size: 10,
        conditions: null,
        market_center: 11,
        total_volume: 60,
        tick_id: null,
        session: 'S1',
        seq: e,
      },
    ]);
    // The tick's key order is CONTRACTS §2's.
    expect(records.find((r) => r.kind === 'ticks')!.json).toBe(
      '{"symbol":"AAPL","timestamp":"2025-07-25T09:30:00.100000","price":213.91,"size":50,"conditions":"01",' +
        `"market_center":19,"total_volume":50,"tick_id":992835854,"session":"S1","seq":${t}}`,
    );
  });

  it('yields no quotes when the field list lacks a quote field, and null tick fields it does not select', () => {
    const j = new JournalScript().connectAll();
    j.l1('T,20250725 09:30:00');
    j.l1('S,CURRENT UPDATE FIELDNAMES,Symbol,Most Recent Trade,Bid,Bid Size,Ask,Message Contents');
    const s = j.l1('Q,AAPL,10.5,10.4,100,10.6,O,');
    const { records } = derive(j.entries, { symbols: ['AAPL'] });
    expect(ofKind(records, 'l1')).toEqual([]);
    expect(ofKind(records, 'ticks')).toEqual([
      {
        symbol: 'AAPL',
        timestamp: '2025-07-25T09:30:00.000000',
        price: 10.5,
        size: null,
        conditions: null,
        market_center: null,
        total_volume: null,
        tick_id: null,
        session: 'S1',
        seq: s,
      },
    ]);
  });

  it('dates a quote by the trade date before any T line', () => {
    const j = new JournalScript().connectAll();
    j.l1(FIELDS);
    j.l1(
      'P,AAPL,213.9000,100,19:59:53.796724,26,0,213.8800,300,213.9100,700,,,,213.8800,Cbac,8717,992835853,,,07/24/2025,',
    );
    expect(ofKind(derive(j.entries).records, 'l1')[0].timestamp).toBe('2025-07-24T19:59:53.796724');
  });

  it('stamps a quote across midnight with the side that changed last, on its own day', () => {
    // A future trading through the night: the bid changed at 23:59:59.7, the ask at 00:00:00.4,
    // after the 00:00:00 T line. By text 23:59:59.7 is the later time, and with the T line's
    // date the quote was stamped a day after it happened.
    const j = new JournalScript().connectAll();
    j.l1(FIELDS);
    j.l1('T,20250725 23:59:59');
    const bid = j.l1(
      'Q,@ESU25,6400.25,1,23:59:50.000000,43,1000,6400.00,10,6400.25,12,,,,,b,01,111,23:59:59.700000,23:59:40.000000,07/25/2025,',
    );
    j.l1('T,20250726 00:00:00');
    const ask = j.l1(
      'Q,@ESU25,6400.25,1,23:59:50.000000,43,1000,6400.00,10,6400.50,5,,,,,a,01,111,23:59:59.700000,00:00:00.400000,07/25/2025,',
    );
    // Both times from before midnight, read after it (a watch's P line): the day before.
    const p = j.l1(
      'P,@ESU25,6400.25,1,23:59:50.000000,43,1000,6400.00,11,6400.50,5,,,,,,01,111,23:59:59.800000,23:59:58.000000,07/25/2025,',
    );
    const { records } = derive(j.entries, { symbols: ['@ESU25'] });
    const l1 = records.filter((r) => r.kind === 'l1');
    expect(l1.map((r) => [r.seq, r.day, (JSON.parse(r.json) as { timestamp: string }).timestamp])).toEqual([
      [bid, '20250725', '2025-07-25T23:59:59.700000'],
      [ask, '20250726', '2025-07-26T00:00:00.400000'],
      [p, '20250725', '2025-07-25T23:59:59.800000'],
    ]);
  });
});

describe('Deriver: problems are counted, never fatal', () => {
  it('counts malformed lines with examples and leaves the book as it was', () => {
    const j = new JournalScript().connectAll();
    j.l2('8,AAPL,B,10.00,100,1,2,09:30:00.000001,2025-07-25,');
    const bad = j.l2('8,AAPL,B,abc,100,1,2,09:30:00.000002,2025-07-25,');
    j.l1('Q,AAPL,not-a-price,,,,,,,,,,,,,,,');
    j.l2('\u0001\u0002 garbage');
    j.line('ADMIN', 'S,STATS,nonsense');
    const after = j.l2('8,AAPL,A,10.05,100,1,2,09:30:00.000003,2025-07-25,');
    const { records, deriver } = derive(j.entries, { symbols: ['AAPL'] });
    const counts = deriver.counts();
    expect(counts.malformed).toBe(4);
    expect(counts.lines).toEqual({ L1: 1, L2: 4, ADMIN: 1 });
    const examples = deriver.problems().malformed;
    expect(examples[0]).toMatchObject({
      seq: bad,
      channel: 'L2',
      line: '8,AAPL,B,abc,100,1,2,09:30:00.000002,2025-07-25,',
    });
    expect(examples[0].message).toMatch(/Price/);
    expect(ofKind(records, 'l2').map((r) => r.seq)).toEqual([1, after]);
    expect(sides(ofKind(records, 'l2')[1])).toEqual({ bids: [[10, 100]], asks: [[10.05, 100]] });
  });

  it('counts not-found symbols, E lines and integrity issues with where they happened', () => {
    const j = new JournalScript().connectAll();
    j.l1('n,ZZZZ');
    j.l2('n,YYYY');
    const e = j.l2('E,!SYNTAX_ERROR!,');
    const d = j.l2('9,AAPL,B,10.00,09:30:00.000001,2025-07-25,');
    const { deriver } = derive(j.entries, { symbols: ['AAPL'] });
    expect(deriver.counts()).toMatchObject({ notFound: 2, errors: 1, integrity: 1 });
    expect(deriver.problems().notFound).toEqual(['ZZZZ', 'YYYY']);
    expect(deriver.problems().errors).toMatchObject([{ seq: e, channel: 'L2', message: '!SYNTAX_ERROR!' }]);
    expect(deriver.problems().integrity).toEqual([{ seq: d, symbol: 'AAPL', kinds: ['unknownDelete'] }]);
  });
});

describe('Deriver: S,CLEAR DEPTH', () => {
  it('clears one side of the watched book and yields a record stamped with the receive time before any T line', () => {
    const j = new JournalScript().connectAll();
    j.l2('3,@ESZ22,1,,B,4000.25,2,1,2,09:30:00.000001,2025-07-25,');
    j.l2('3,@ESZ22,2,,A,4000.50,3,2,2,09:30:00.000002,2025-07-25,');
    const c = j.l2('S,CLEAR DEPTH,@ESZ22,B,', T0 + 123_456);
    const { records } = derive(j.entries, { symbols: ['@ESZ22'], families: { '@ESZ22': 'mbo' } });
    const last = ofKind(records, 'l2').at(-1)!;
    expect(last.seq).toBe(c);
    expect(sides(last)).toEqual({ bids: [], asks: [[4000.5, 3]] });
    expect(last.timestamp).toBe(easternIso(T0 + 123_456));
    expect(last.timestamp).toBe('2025-07-25T09:30:00.123456');
  });
});
