import { describe, expect, it } from 'vitest';
import { L2hError } from '../../common/errors.js';

function enotdir(): NodeJS.ErrnoException {
  const err: NodeJS.ErrnoException = new Error("ENOTDIR: not a directory, mkdir '/r/results.json/x'");
  err.code = 'ENOTDIR';
  return err;
}

describe('L2hError.describe', () => {
  it('says what caused the error: the code and message of its cause', () => {
    const err = new L2hError('cannot create the report directory', {
      code: 'IO',
      cause: enotdir(),
      context: { dir: '/r/results.json/x' },
      hint: 'choose another --out',
    });
    expect(err.describe()).toBe(
      "cannot create the report directory (dir=/r/results.json/x): ENOTDIR: not a directory, mkdir '/r/results.json/x'\n  hint: choose another --out",
    );
  });

  it('adds the code when the cause message lacks it, and follows a chain of L2hErrors', () => {
    const io: NodeJS.ErrnoException = new Error('permission denied');
    io.code = 'EACCES';
    const inner = new L2hError('cannot read the journal', { code: 'IO', cause: io, context: { file: 'j' } });
    const outer = new L2hError('verification stopped', { code: 'IO', cause: inner });
    expect(outer.describe()).toBe(
      'verification stopped: cannot read the journal (file=j): EACCES: permission denied',
    );
  });

  it('is unchanged without a cause', () => {
    expect(new L2hError('bad', { code: 'BAD_USAGE', context: { flag: '--x' } }).describe()).toBe(
      'bad (flag=--x)',
    );
  });
});
