/**
 * Record envelopes for Redis sink tests, in the exact JSON the deriver writes
 * (collector/records/json.ts): keys in CONTRACTS §2 order, ending with session and seq.
 */
import { Envelope } from '../../../../collector/records/json.js';
import type { RecordEnvelope, RecordKind } from '../../../../collector/records/types.js';

/**
 * Most records here come as the deriver hands them over: a view of the JSONL line in bytes it
 * shares with other text (not at offset 0), not a JSON string. Gaps stay JSON strings, so both
 * forms reach the sink.
 */
function byteEnvelope(kind: RecordKind, symbol: string, seq: number, json: string): RecordEnvelope {
  const bytes = Buffer.from(`${seq}|${json}\nnext`, 'utf8');
  const start = bytes.indexOf('|') + 1;
  return new Envelope(kind, symbol, seq, '20240621', null, bytes, start, bytes.indexOf(10) + 1);
}

export function l2(session: string, symbol: string, seq: number, bid: number, ask: number): RecordEnvelope {
  const json =
    `{"symbol":"${symbol}","timestamp":"2024-06-21T09:30:00.${String(seq % 1e6).padStart(6, '0')}",` +
    `"bids":[{"price":${bid},"size":100,"level":1}],"asks":[{"price":${ask},"size":200,"level":1}],` +
    `"total_bid_size":100,"total_ask_size":200,"spread":${Number((ask - bid).toFixed(4))},"mid_price":${Number(((ask + bid) / 2).toFixed(4))},` +
    `"session":"${session}","seq":${seq}}`;
  return byteEnvelope('l2', symbol, seq, json);
}

export function l1(session: string, symbol: string, seq: number, bid: number, ask: number): RecordEnvelope {
  const json =
    `{"symbol":"${symbol}","timestamp":"2024-06-21T09:30:01.000000","bid":${bid},"bid_size":5,"ask":${ask},"ask_size":7,` +
    `"spread":${Number((ask - bid).toFixed(4))},"mid_price":${Number(((ask + bid) / 2).toFixed(4))},"session":"${session}","seq":${seq}}`;
  return byteEnvelope('l1', symbol, seq, json);
}

export function tick(session: string, symbol: string, seq: number, price: number): RecordEnvelope {
  const json =
    `{"symbol":"${symbol}","timestamp":"2024-06-21T09:30:02.000000","price":${price},"size":10,"conditions":null,` +
    `"market_center":11,"total_volume":${seq * 10},"tick_id":${seq},"session":"${session}","seq":${seq}}`;
  return byteEnvelope('ticks', symbol, seq, json);
}

export function gap(session: string, symbol: string, seq: number): RecordEnvelope {
  const json =
    `{"symbol":"${symbol}","timestamp":"2024-06-21T09:31:00.000000","gap_end":"2024-06-21T09:31:02.000000",` +
    `"duration_us":2000000,"reason":"disconnect","channel":"L2","session":"${session}","seq":${seq}}`;
  return new Envelope('gaps', symbol, seq, '20240621', json);
}

/**
 * A deterministic mixed stream: per seq one record, kinds and symbols rotating, so every kind
 * and symbol gets records and per-kind seqs only grow (as the deriver's do).
 */
export function mixedRecords(
  session: string,
  fromSeq: number,
  count: number,
  symbols: readonly string[],
): RecordEnvelope[] {
  const out: RecordEnvelope[] = [];
  for (let seq = fromSeq; seq < fromSeq + count; seq++) {
    const symbol = symbols[seq % symbols.length];
    const base = 100 + (seq % 50) / 100;
    const k = seq % 10;
    const kind: RecordKind = k < 6 ? 'l2' : k < 8 ? 'l1' : k < 9 ? 'ticks' : 'gaps';
    if (kind === 'l2') out.push(l2(session, symbol, seq, base, base + 0.01));
    else if (kind === 'l1') out.push(l1(session, symbol, seq, base, base + 0.02));
    else if (kind === 'ticks') out.push(tick(session, symbol, seq, base));
    else out.push(gap(session, symbol, seq));
  }
  return out;
}
