import { describe, expect, it } from 'vitest';
import {
  DEFAULT_UPDATE_FIELDS,
  FUNDAMENTAL_FIELDS,
  FUNDAMENTAL_FIELDS_60,
  isUpdateFieldName,
  normalizeUpdateFields,
  RESERVED,
  UPDATE_FIELDS,
  updateFieldKind,
} from '../../../collector/protocol/index.js';

describe('field catalogue', () => {
  it('has the 70 update fields, the 16 defaults among them, and 57 fundamentals', () => {
    expect(UPDATE_FIELDS).toHaveLength(70);
    expect(new Set(UPDATE_FIELDS.map((f) => f.name)).size).toBe(70);
    expect(DEFAULT_UPDATE_FIELDS).toHaveLength(16);
    expect(DEFAULT_UPDATE_FIELDS.every(isUpdateFieldName)).toBe(true);
    expect(FUNDAMENTAL_FIELDS).toHaveLength(57);
  });

  it('the 6.0 fundamental layout: 7 reserved columns, Short Interest, Market Center, no 6.1 additions', () => {
    const names = FUNDAMENTAL_FIELDS_60.map((f) => f.name);
    expect(names.filter((n) => n === RESERVED)).toHaveLength(7);
    expect(names).toContain('Short Interest');
    expect(names[names.indexOf('Split Factor 2') + 2]).toBe('Market Center');
    expect(names.at(-1)).toBe('Option Multiple Deliverable');
    expect(names).not.toContain('FIGI');
  });

  it('kinds, with unknown names read as text', () => {
    expect(updateFieldKind('Bid')).toBe('price');
    expect(updateFieldKind('Most Recent Trade Date')).toBe('date');
    expect(updateFieldKind('Seven Day Yield')).toBe('text');
  });

  it('Symbol first, once', () => {
    expect(normalizeUpdateFields(['Bid', 'Symbol', 'Ask', 'Symbol'])).toEqual(['Symbol', 'Bid', 'Ask']);
    expect(normalizeUpdateFields([])).toEqual(['Symbol']);
  });
});
