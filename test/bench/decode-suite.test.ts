import { describe, expect, it } from 'vitest';
import { l1Lines, l2Lines } from '../../bench/suites/decode.js';
import { isDecodeError, L1Decoder, L2Decoder } from '../../collector/protocol/index.js';

/** The benchmark must measure decoding of valid lines, not the error path. */
describe('decode bench inputs', () => {
  it('every generated line decodes', () => {
    const l2 = new L2Decoder();
    const l1 = new L1Decoder();
    expect(
      l2Lines(5000)
        .map((l) => l2.decode(l))
        .filter(isDecodeError),
    ).toEqual([]);
    expect(
      l1Lines(5000)
        .map((l) => l1.decode(l))
        .filter(isDecodeError),
    ).toEqual([]);
  });

  it('is the same every run', () => {
    expect(l2Lines(100)).toEqual(l2Lines(100));
  });
});
