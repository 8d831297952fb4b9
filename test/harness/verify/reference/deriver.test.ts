import { describe, expect, it } from 'vitest';
import { DEFAULT_L1_FIELDS } from '../../../../collector/feed/index.js';
import type { JournalItem } from '../../../../harness/verify/journal-reader.js';
import { type Expected, ReferenceDeriver } from '../../../../harness/verify/reference/deriver.js';

/** A P line in the default field list: bid, ask, their sizes and times; other fields empty. */
function quote(symbol: string, bid: string, ask: string, time: string, askTime = time): string {
  const value: Record<string, string> = {
    Symbol: symbol,
    Bid: bid,
    Ask: ask,
    'Bid Size': '10',
    'Ask Size': '10',
    'Bid Time': time,
    'Ask Time': askTime,
  };
  return `P,${DEFAULT_L1_FIELDS.map((name) => value[name] ?? '').join(',')},`;
}

function run(lines: readonly string[]): Expected[] {
  const d = new ReferenceDeriver({ depth: 10, symbols: ['AAPL'] });
  const out: Expected[] = [];
  d.push({ kind: 'event', seq: 1, event: 'connect', channel: 'L1', us: 0, reason: null }, out);
  lines.forEach((line, i) => {
    const item: JournalItem = {
      kind: 'line',
      seq: i + 1,
      channel: 'L1',
      line,
      receivedUs: 1_753_450_000_000_000,
    };
    d.push(item, out);
  });
  d.end(out);
  return out;
}

describe('ReferenceDeriver', () => {
  it('takes the date of the last well-formed T line; a malformed one sets no clock', () => {
    const out = run([
      `S,CURRENT UPDATE FIELDNAMES,${DEFAULT_L1_FIELDS.join(',')}`,
      'T,20250725 10:22:09',
      'T,9999999999999999999999',
      'T,20259999 10:2x:09',
      quote('AAPL', '210.10', '210.12', '10:22:10.493916'),
    ]);
    const quotes = out.filter((e) => e.kind === 'l1');
    expect(quotes).toHaveLength(1);
    expect(quotes[0]!.timestamp).toBe('2025-07-25T10:22:10.493916');
  });

  it('dates a quote across midnight by the side that changed last, on its own day', () => {
    const out = run([
      `S,CURRENT UPDATE FIELDNAMES,${DEFAULT_L1_FIELDS.join(',')}`,
      'T,20250725 23:59:59',
      quote('AAPL', '210.10', '210.12', '23:59:59.700000', '23:59:40.000000'),
      'T,20250726 00:00:00',
      quote('AAPL', '210.10', '210.13', '23:59:59.700000', '00:00:00.400000'),
      quote('AAPL', '210.11', '210.13', '23:59:59.800000', '23:59:58.000000'),
    ]);
    expect(out.filter((e) => e.kind === 'l1').map((e) => e.timestamp)).toEqual([
      '2025-07-25T23:59:59.700000',
      '2025-07-26T00:00:00.400000',
      '2025-07-25T23:59:59.800000',
    ]);
  });
});
