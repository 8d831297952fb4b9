import { describe, expect, it } from 'vitest';
import { L2hError } from '../../common/errors.js';
import { flagValue, splitStartArgs } from '../../ops/start-args.js';

describe('l2h start arguments', () => {
  it('takes its own flags from anywhere and passes the rest to the collector in order', () => {
    const { flags, collect } = splitStartArgs([
      '--symbols',
      'AAPL',
      '--ui',
      '--run-dir',
      'r',
      '--depth',
      '5',
      '--timeout-s=12',
      '--resume',
    ]);
    expect(flags).toEqual({ mode: 'ui', runDir: 'r', timeoutS: 12, logMaxMb: 64, logKeep: 5, resume: true });
    expect(collect).toEqual(['--symbols', 'AAPL', '--depth', '5']);
  });

  it('defaults to headless', () => {
    expect(splitStartArgs(['--symbols', 'A']).flags.mode).toBe('headless');
  });

  it('refuses what would break the run folder, with the flag named', () => {
    for (const [args, msg] of [
      [['--headless', '--ui'], /exclude each other/],
      [['--pid-file', 'x'], /manages --pid-file/],
      [['--log-file=x'], /manages --log-file/],
      [['--timeout-s', '0'], /--timeout-s must be a positive number, got "0"/],
      [['--log-keep', '1.5'], /--log-keep must be a positive whole number/],
      [['--run-dir'], /--run-dir needs a value/],
      [['--ui=yes'], /--ui takes no value/],
    ] as const) {
      expect(() => splitStartArgs(args), args.join(' ')).toThrow(L2hError);
      expect(() => splitStartArgs(args)).toThrow(msg);
    }
  });

  it('reads a collector flag in both spellings, the last winning', () => {
    expect(flagValue(['--monitor', 'a:1'], '--monitor')).toBe('a:1');
    expect(flagValue(['--monitor=a:1', '--monitor', 'b:2'], '--monitor')).toBe('b:2');
    expect(flagValue(['--monitor-token', 't'], '--monitor')).toBeUndefined();
  });
});
