import { describe, expect, it } from 'vitest';
import type { Check, RunResults } from '../../harness/results/types.js';
import { formatSummary } from '../../harness/summary.js';

const ESC = '\u001b';

function run(check: Check): RunResults {
  return {
    schema: 'l2h.results/1',
    verdict: 'fail',
    run: {
      id: 'r',
      command: 'l2h replay',
      startedAt: '2026-01-01T00:00:00.000Z',
      durationMs: 1000,
      tape: { path: `t${ESC}[2J.tape`, sha256: 'ab'.repeat(32), lines: 3, headers: {} },
      scenario: null,
      seed: 1,
      config: {},
      versions: {},
      machine: {},
      services: {},
    },
    checks: [check],
    latency: [],
    messageMix: {},
    load: null,
    metricsFile: null,
  };
}

describe('formatSummary', () => {
  it('shows control characters from the journal as \\xNN, never raw on the terminal', () => {
    const side = { bids: [{ price: 1, size: 1 }], asks: [] };
    const text = formatSummary(
      run({
        id: 'zero-loss.journal-vs-jsonl',
        group: 'zero-loss',
        title: 't',
        threshold: `lost = 0${ESC}[0m`,
        measured: `lost 1 at ${ESC}[2K`,
        pass: false,
        evidence: {
          differences: [
            {
              where: `seq 7 AAPL l2${ESC}]0;title\u0007`,
              expected: `8,AAPL,${ESC}[2J${ESC}[32mALL CHECKS PASSED${ESC}[0m`,
              actual: `x\u0000y`,
            },
          ],
          bookDiff: { symbol: `AA${ESC}PL`, seq: 7, line: `8,AAPL,${ESC}[2J`, expected: side, actual: side },
        },
      }),
      `/runs/r${ESC}[1m`,
      [],
    );
    // biome-ignore lint/suspicious/noControlCharactersInRegex: looking for them is the test
    expect(text).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/);
    expect(text).toContain('expected 8,AAPL,\\x1b[2J\\x1b[32mALL CHECKS PASSED\\x1b[0m, got x\\x00y');
    expect(text).toContain('at seq 7 AAPL l2\\x1b]0;title\\x07');
    expect(text).toContain('book of AA\\x1bPL at seq 7 after `8,AAPL,\\x1b[2J`');
  });
});
