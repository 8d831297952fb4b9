import { usageError } from '../common/errors.js';

/** An integer flag value, with the flag's name in the error when it is not one. */
export function intOption(flag: string, text: string, min = Number.MIN_SAFE_INTEGER): number {
  const v = Number(text);
  if (!Number.isInteger(v) || v < min) {
    throw usageError(
      `${flag} must be an integer${min > Number.MIN_SAFE_INTEGER ? ` ≥ ${min}` : ''}, got "${text}"`,
    );
  }
  return v;
}

/** `--speed`: `max` or a positive number. */
export function parseSpeed(text: string): number | 'max' {
  if (text === 'max') return 'max';
  const v = Number(text);
  if (!Number.isFinite(v) || v <= 0)
    throw usageError(`--speed must be a positive number or "max", got "${text}"`);
  return v;
}
