import { describe, expect, it } from 'vitest';
import { envelopesFromJsonl } from '../../../../bench/envelopes.js';
import { Envelope } from '../../../../collector/records/json.js';
import type { RecordEnvelope, RecordKind } from '../../../../collector/records/types.js';
import { RowBinaryWriter } from '../../../../collector/sinks/clickhouse/row-binary.js';
import { encodeRows } from '../../../../collector/sinks/clickhouse/rows.js';
import { encodeRowFromBytes } from '../../../../collector/sinks/clickhouse/rows-from-bytes.js';
import { viaEncodeRows, viaObjects } from './encode-helpers.js';
import { sampleEnvelopes } from './sample-records.js';

const VER = 1_753_400_000_000_000;

const L2 =
  '{"symbol":"A","timestamp":"2012-06-21T09:30:00.000000","bids":[{"price":1.39,"size":5,"level":1},' +
  '{"price":1.38,"size":7,"level":2}],"asks":[{"price":1.4,"size":1,"level":1}],"total_bid_size":12,' +
  '"total_ask_size":1,"spread":0.01,"mid_price":1.395,"session":"s","seq":3}';

function lines(kind: RecordKind, jsons: readonly string[]): RecordEnvelope[] {
  return envelopesFromJsonl(
    jsons.map((json, i) => ({ kind, symbol: 'A', seq: 3 + i, day: '20120621', json })),
    'lead\n',
  );
}

/** Whether the byte scanner takes the record (into a scratch writer). */
const scanned = (kind: RecordKind, env: RecordEnvelope): boolean =>
  encodeRowFromBytes(new RowBinaryWriter(), kind, env, VER);

describe('encodeRows', () => {
  it('writes the sample records of every kind as the object path does, as bytes or as strings', () => {
    for (const asBytes of [true, false]) {
      const envelopes = sampleEnvelopes({ session: 'sess-1', count: 400, seed: 11, asBytes });
      for (const kind of ['l2', 'l1', 'ticks', 'gaps'] as const) {
        const ofKind = envelopes.filter((e) => e.kind === kind);
        const expected = viaObjects(kind, ofKind, VER);
        expect(expected).toHaveProperty('bytes');
        expect(viaEncodeRows(kind, ofKind, VER)).toEqual(expected);
        // Records whose strings need no escapes take the byte path when there are bytes.
        const fast = ofKind.filter((e) => scanned(kind, e)).length;
        if (asBytes) expect(fast).toBeGreaterThan(ofKind.length / 2);
        else expect(fast).toBe(0);
      }
    }
  });

  it('falls back to the object path for a record made from JSON text', () => {
    const env = new Envelope('l2', 'A', 3, '20120621', L2);
    expect(scanned('l2', env)).toBe(false);
    expect(viaEncodeRows('l2', [env], VER)).toEqual(viaObjects('l2', [env], VER));
    expect(viaEncodeRows('l2', [env], VER)).toEqual(viaObjects('l2', lines('l2', [L2]), VER));
  });

  it('falls back for keys in another order, spaces or a trailing byte, after rows already written', () => {
    const reordered = JSON.stringify(
      Object.fromEntries(Object.entries(JSON.parse(L2) as Record<string, unknown>).reverse()),
    );
    const odd = [
      reordered,
      L2.replace('"size":5,"level":1', '"level":1,"size":5'),
      L2.replace('"seq":3', '"seq": 3'),
      // Late in the line, so most of the row was already written when the scanner gives up.
      L2.replace('"seq":3}', '"seq":3 }'),
      L2.replace('"session":"s"', '"session":"\\u0073"'),
      L2.replace('"size":7', '"size":7.0'),
      L2.replace('"total_ask_size":1', '"total_ask_size":1e0'),
      `${L2} `,
    ];
    for (const json of odd) {
      const envelopes = lines('l2', [L2, json, L2]);
      const expected = viaObjects('l2', envelopes, VER);
      expect(expected).toHaveProperty('bytes');
      expect(viaEncodeRows('l2', envelopes, VER), json).toEqual(expected);
      // The odd row is the same row: the object path reads the same values.
      expect(viaObjects('l2', [envelopes[1]!], VER)).toEqual(viaObjects('l2', [envelopes[0]!], VER));
    }
    // Other number forms of the same values are still read from the bytes.
    const [plain, ...others] = lines('l2', [L2, ...odd]);
    expect(scanned('l2', plain!)).toBe(true);
    expect(others.filter((e) => scanned('l2', e)).map((e) => e.json)).toEqual([odd[5], odd[6]]);
  });

  it('refuses a fractional size with the same error as before, naming the record', () => {
    const envelopes = lines('l2', [L2, L2.replace('"size":7', '"size":7.5')]);
    const message = 'a l2 record cannot be stored in ClickHouse: 7.5 is not an integer (column is Int64)';
    const expected = viaObjects('l2', envelopes, VER);
    expect(expected).toEqual({
      error: {
        name: 'L2hError',
        message,
        detail: {
          code: 'INTERNAL',
          retriable: false,
          context: { kind: 'l2', symbol: 'A', seq: 4, column: 'bid_sizes' },
        },
      },
    });
    expect(viaEncodeRows('l2', envelopes, VER)).toEqual(expected);
    expect(() => encodeRows(new RowBinaryWriter(), 'l2', envelopes, VER)).toThrow(message);
  });

  it('refuses levels not numbered 1..n with the same error as before', () => {
    for (const json of [
      L2.replace('"level":2', '"level":3'),
      L2.replace('"level":1}]', '"level":0}]'),
      L2.replace('"level":2', '"level":2.5'),
    ]) {
      const envelopes = lines('l2', [json]);
      const expected = viaObjects('l2', envelopes, VER);
      expect(expected).toMatchObject({
        error: { name: 'L2hError', detail: { context: { column: expect.stringMatching(/_prices$/) } } },
      });
      expect(viaEncodeRows('l2', envelopes, VER)).toEqual(expected);
    }
  });

  it('refuses what the other columns cannot hold with the same errors as before', () => {
    const refused: [RecordKind, string][] = [
      ['l2', L2.replace('"spread":0.01', '"spread":1e999')],
      ['l2', L2.replace('"total_bid_size":12', '"total_bid_size":9007199254740993')],
      ['l2', L2.replace('"seq":3', '"seq":-3')],
      ['l2', L2.replace('"symbol":"A"', '"symbol":null')],
      ['l2', L2.replace('09:30:00.000000', '09:30:00')],
      ['l2', L2.replace('2012-06-21', '9999-06-21')],
      ['l2', L2.replace('"bids":[', '"bids":[null,')],
      ['l2', L2.slice(0, -1)],
      ['l2', `${L2}x`],
      ['l2', L2.replace('"spread":0.01', '"spread":01')],
      [
        'l1',
        '{"symbol":"A","timestamp":"2012-06-21T09:30:00.000000","bid":1,"bid_size":0.5,"ask":null,' +
          '"ask_size":null,"spread":null,"mid_price":null,"session":"s","seq":1}',
      ],
    ];
    for (const [kind, json] of refused) {
      const envelopes = lines(kind, [json]);
      const expected = viaObjects(kind, envelopes, VER);
      expect(expected, json).toHaveProperty('error');
      expect(viaEncodeRows(kind, envelopes, VER), json).toEqual(expected);
    }
    // The envelope's day and the insert's version are checked as before too.
    const [env] = lines('l2', [L2]);
    const badDay = new Envelope('l2', 'A', 3, '19691231', null, env!.lineBytes, env!.lineStart, env!.lineEnd);
    expect(viaEncodeRows('l2', [badDay], VER)).toEqual(viaObjects('l2', [badDay], VER));
    expect(viaEncodeRows('l2', [badDay], VER)).toHaveProperty('error');
    for (const ver of [-1, 1.5, 2 ** 53]) {
      expect(viaEncodeRows('l2', [env!], ver)).toEqual(viaObjects('l2', [env!], ver));
      expect(viaEncodeRows('l2', [env!], ver)).toHaveProperty('error');
    }
  });
});
