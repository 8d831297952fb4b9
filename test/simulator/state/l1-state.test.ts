import { describe, expect, it } from 'vitest';
import { FieldList } from '../../../simulator/state/field-list.js';
import { L1SymbolState } from '../../../simulator/state/l1-state.js';

describe('L1SymbolState', () => {
  it('has no state until an F, P or Q is seen, then answers F and P in any field list', () => {
    const s = new L1SymbolState('AAPL');
    expect(s.hasState).toBe(false);
    const tape = new FieldList(['Symbol', 'Bid', 'Ask', 'Last']);
    s.onQuote('Q,AAPL,1.10,1.20,1.15,', tape);
    expect(s.hasState).toBe(true);
    expect(s.fundamentalLine()).toBe(`F,AAPL${','.repeat(57)}`);
    expect(s.summaryLine(new FieldList(['Symbol', 'Last', 'Total Volume', 'Bid']))).toBe(
      'P,AAPL,1.15,,1.10,',
    );
  });

  it('keeps the values of fields an earlier tape field list had', () => {
    const s = new L1SymbolState('AAPL');
    const first = new FieldList(['Symbol', 'Bid', 'Total Volume']);
    s.onQuote('Q,AAPL,1.10,500,', first);
    const second = new FieldList(['Symbol', 'Bid', 'Ask']);
    s.carryOver(second);
    s.onQuote('Q,AAPL,1.11,1.21,', second);
    expect(s.summaryLine(new FieldList(['Symbol', 'Total Volume', 'Bid', 'Ask']))).toBe(
      'P,AAPL,500,1.11,1.21,',
    );
    s.onFundamental('F,AAPL,5,29.5,');
    expect(s.fundamentalLine()).toBe('F,AAPL,5,29.5,');
  });
});
