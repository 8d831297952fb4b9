import type { Command } from 'commander';
import { expect } from 'vitest';
import { exitCodeFor, L2hError } from '../../../common/errors.js';

/** Parse `l2h <args>` with `program`: the error it threw, or undefined when it went through. */
export async function parseError(program: Command, args: readonly string[]): Promise<unknown> {
  try {
    await program.parseAsync(['node', 'l2h', ...args]);
    return undefined;
  } catch (err) {
    return err;
  }
}

/** `err` must be a usage error (exit 2); its message. */
export function usageMessage(err: unknown): string {
  expect(err).toBeInstanceOf(L2hError);
  expect(exitCodeFor(err)).toBe(2);
  return (err as L2hError).describe();
}
