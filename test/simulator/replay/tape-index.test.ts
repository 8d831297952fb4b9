import { describe, expect, it } from 'vitest';
import { parseTapeText } from '../../../collector/tape/parser.js';
import { easternToEpochUs } from '../../../common/eastern-time.js';
import { L2hError } from '../../../common/errors.js';
import { type TapeIndex, TapeIndexer } from '../../../simulator/replay/tape-index.js';

function index(text: string): TapeIndex {
  const { header, lines } = parseTapeText(text);
  const indexer = new TapeIndexer(header, 'mem.tape');
  indexer.add(lines);
  return indexer.finish();
}

describe('TapeIndexer', () => {
  it('collects symbols, depth families and whether each channel carries T lines', () => {
    const ix = index(
      [
        '#l2tape 1',
        '#symbols AAPL, MSFT',
        '#l2 IBM=mm,MSFT=mbo',
        '0\tL2\t7,AAPL,B,1.0,1,1,2,09:30:00.000100,2024-06-21,',
        '5\tL2\t3,QQQ,1,,B,1.0,1,1,2,09:30:00.000200,2024-06-21,',
        '6\tL2\tT,20240621 09:30:00',
        '7\tL1\tQ,SPY,1,',
        '8\tL1\tn,NOPE',
        '9\tL2\tS,CLEAR DEPTH,ES,B,',
        '',
      ].join('\n'),
    );
    expect([...ix.symbols].sort()).toEqual(['AAPL', 'ES', 'IBM', 'MSFT', 'QQQ', 'SPY']);
    expect(ix.startSymbols).toEqual(['AAPL', 'MSFT']);
    expect(Object.fromEntries([...ix.depth].map(([s, f]) => [s, [...f].sort()]))).toEqual({
      AAPL: ['mbp'],
      MSFT: ['mbo'],
      IBM: ['mm'],
      QQQ: ['mbo'],
      SPY: [],
      ES: [],
    });
    expect(ix.tapeTimestamps).toEqual({ L1: false, L2: true });
    expect(ix.lines).toBe(6);
  });

  it('takes the time base from #start-us, else the first line with its own time, else #date', () => {
    expect(
      index('#l2tape 1\n#start-us 1718976600000000\n#date 2020-01-01\n5\tL1\tS,KEY,99999\n').startUs,
    ).toBe(1718976600000000);
    const fromRow = index(
      '#l2tape 1\n#date 2020-01-01\n100\tL1\tS,KEY,99999\n300\tL2\t8,X,B,1,1,1,2,09:30:00.000500,2024-06-21,\n',
    );
    expect(fromRow.timeBase).toBe('first-line');
    expect(fromRow.startUs).toBe(easternToEpochUs('2024-06-21', '09:30:00.000300'));
    const fromQuote = index(
      '#l2tape 1\n0\tL1\tS,CURRENT UPDATE FIELDNAMES,Symbol,Most Recent Trade Time,Most Recent Trade Date\n0\tL1\tQ,X,10:00:00.000000,06/21/2024,\n',
    );
    expect(fromQuote.startUs).toBe(easternToEpochUs('2024-06-21', '10:00:00'));
    const legacyNoTime = index(
      '#l2tape 1\n#date 2021-07-02\n0\tL2\tU,BLIN,BOSX,0.,0.,0,0,99:99:99,2021-07-02,20,52,12,99:99:99,F,F,\n',
    );
    expect([legacyNoTime.timeBase, legacyNoTime.startUs]).toEqual([
      'date',
      easternToEpochUs('2021-07-02', '00:00:00'),
    ]);
    expect(index('#l2tape 1\n0\tL1\tS,KEY,99999\n').timeBase).toBe('none');
  });

  it('refuses a malformed #l2 header, naming it', () => {
    expect(() => index('#l2tape 1\n#l2 AAPL=fast\n0\tL1\tO\n')).toThrow(L2hError);
    expect(() => index('#l2tape 1\n#l2 AAPL=fast\n0\tL1\tO\n')).toThrow(/#l2 header entry "AAPL=fast"/);
  });
});
