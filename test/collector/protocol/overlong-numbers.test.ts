import { describe, expect, it } from 'vitest';
import { COLLECTOR_UPDATE_FIELDS } from '../../../collector/protocol/fields.js';
import { type DecodeError, isDecodeError, L1Decoder, L2Decoder } from '../../../collector/protocol/index.js';
import { UpdateFields } from '../../../collector/protocol/l1-messages.js';
import { parseDecimal, parseInteger } from '../../../collector/protocol/values.js';

/**
 * A number too long for a double (more than 309 digits) must be a DecodeError naming the field:
 * the book and the record writer refuse non-finite numbers by throwing, which would stop the
 * deriver for the rest of the session (review script 02-huge-price-kills-deriver.mjs).
 */

const HUGE = '9'.repeat(400);

function error(result: unknown): DecodeError {
  expect(isDecodeError(result), JSON.stringify(result)?.slice(0, 200)).toBe(true);
  return result as DecodeError;
}

const parse = (text: string): number => parseDecimal(text, 0, text.length);

describe('parseDecimal and parseInteger give a finite number or NaN', () => {
  it('overlong decimals are NaN, not Infinity', () => {
    expect(parse(HUGE)).toBeNaN();
    expect(parse(`-${HUGE}`)).toBeNaN();
    expect(parse(`${HUGE}.25`)).toBeNaN();
    expect(parse(`${HUGE}.`)).toBeNaN();
    // 309 nines still fit below Number.MAX_VALUE (≈1.8e308).
    expect(Number.isFinite(parse('9'.repeat(308)))).toBe(true);
  });

  it('long texts that are finite still parse as Number() reads them', () => {
    const tiny = `0.${'0'.repeat(400)}1`;
    expect(parse(tiny)).toBe(Number(tiny));
    expect(parse('12345678901234567890.5')).toBe(Number('12345678901234567890.5'));
    expect(parse('-0.12345678901234567')).toBe(-Number('0.12345678901234567'));
  });

  it('overlong integers are NaN', () => {
    expect(parseInteger(HUGE, 0, HUGE.length)).toBeNaN();
    expect(parseInteger(`-${HUGE}`, 0, HUGE.length + 1)).toBeNaN();
  });
});

describe('decoders report an overlong number as a DecodeError naming the field', () => {
  it('L2 price-level update: Price', () => {
    const line = `8,@ESZ21,B,${HUGE},10,3,2,20:32:47.333543,2021-10-24,`;
    expect(error(new L2Decoder().decode(line))).toMatchObject({ field: 'Price', index: 3 });
  });

  it('L2 order add: Price, and an overlong Order ID', () => {
    expect(
      error(new L2Decoder().decode(`3,@ESZ21,1234,,B,${HUGE},3,98765,2,18:00:00.250000,2024-06-20,`)),
    ).toMatchObject({ field: 'Price', index: 5 });
    expect(
      error(new L2Decoder().decode(`3,@ESZ21,${HUGE},,B,4580.25,3,98765,2,18:00:00.250000,2024-06-20,`)),
    ).toMatchObject({ field: 'Order ID', index: 2 });
  });

  it('legacy market maker rows: Bid', () => {
    expect(
      error(
        new L2Decoder().decode(
          `Z,@ES#,MD01,${HUGE},2982.5,99,238,12:49:52.696621,2019-10-18,52,12:49:52.541104,T,T,F,`,
        ),
      ),
    ).toMatchObject({ field: 'Bid', index: 3 });
  });

  it('L1 Q: Most Recent Trade, through the decoder and through UpdateFields', () => {
    const line = `Q,AAPL,${HUGE},50,19:59:58.900064,24,62111303,134.62,100,134.65,700,,,,,C,01,`;
    expect(error(new L1Decoder().decode(line))).toMatchObject({ field: 'Most Recent Trade', index: 2 });
    const fields = new L1Decoder().fields;
    // Read as a value (wanted) and only checked (not wanted): both must refuse the line.
    expect(new UpdateFields(['Most Recent Trade']).read(line, 'Q', fields)).toBe(false);
    expect(new UpdateFields(['Bid']).read(line, 'Q', fields)).toBe(false);
  });

  it('L1 Q: an overlong TickID (integer) under the collector field list', () => {
    const values = ['134.62', '50', '19:59:58.900064', '24', '62111303', '134.62', '100', '134.65', '700'];
    const line = `Q,AAPL,${values.join(',')},,,,,C,01,${HUGE},,,,`;
    const decoder = new L1Decoder({ fields: COLLECTOR_UPDATE_FIELDS });
    expect(error(decoder.decode(line))).toMatchObject({ field: 'TickID' });
  });
});
