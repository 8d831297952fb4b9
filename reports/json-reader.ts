import { inputError, type L2hError } from '../common/errors.js';

/**
 * A small hand-written validator for JSON read from a run directory. Each reader takes an
 * `unknown` and a location, returns a typed value or throws an `L2hError` naming the file, the
 * field path and what was found, e.g. `results.json: checks[2].pass must be a boolean (found
 * string "yes")`.
 */
export interface Location {
  readonly file: string;
  readonly path: string;
  /** The line of the file, for JSONL inputs. */
  readonly line?: number;
  /** Keys that the reader does not know, collected so the report can say what it left out. */
  readonly ignored: string[];
}

export function rootLocation(file: string, ignored: string[], line?: number): Location {
  return { file, path: '', line, ignored };
}

export function at(loc: Location, key: string | number): Location {
  const path = typeof key === 'number' ? `${loc.path}[${key}]` : loc.path === '' ? key : `${loc.path}.${key}`;
  return { ...loc, path };
}

function describeFound(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (typeof value === 'string') {
    const shown = value.length > 40 ? `${value.slice(0, 40)}…` : value;
    return `string ${JSON.stringify(shown)}`;
  }
  if (typeof value === 'object') return 'an object';
  if (value === undefined) return 'nothing: the field is missing';
  return `${typeof value} ${String(value)}`;
}

export function invalid(loc: Location, problem: string): L2hError {
  const where = loc.path === '' ? 'the top level' : loc.path;
  const lineText = loc.line === undefined ? '' : `:${loc.line}`;
  return inputError(
    `${loc.file}${lineText}: ${where} ${problem}`,
    loc.line === undefined
      ? { file: loc.file, field: where }
      : { file: loc.file, line: loc.line, field: where },
  );
}

function expected(loc: Location, what: string, value: unknown): L2hError {
  return invalid(loc, `must be ${what} (found ${describeFound(value)})`);
}

export function readString(value: unknown, loc: Location): string {
  if (typeof value !== 'string') throw expected(loc, 'a string', value);
  return value;
}

export function readNumber(value: unknown, loc: Location): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw expected(loc, 'a number', value);
  return value;
}

export function readNonNegative(value: unknown, loc: Location): number {
  const n = readNumber(value, loc);
  if (n < 0) throw expected(loc, 'a number ≥ 0', value);
  return n;
}

export function readInteger(value: unknown, loc: Location): number {
  const n = readNumber(value, loc);
  if (!Number.isInteger(n)) throw expected(loc, 'a whole number', value);
  return n;
}

export function readBoolean(value: unknown, loc: Location): boolean {
  if (typeof value !== 'boolean') throw expected(loc, 'a boolean', value);
  return value;
}

export function readLiteral<T extends string>(value: unknown, loc: Location, allowed: readonly T[]): T {
  const found = allowed.find((a) => a === value);
  if (found === undefined) {
    throw expected(loc, `one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}`, value);
  }
  return found;
}

export function readNullable<T>(
  value: unknown,
  loc: Location,
  read: (v: unknown, l: Location) => T,
): T | null {
  return value === null ? null : read(value, loc);
}

export function readArray<T>(value: unknown, loc: Location, read: (v: unknown, l: Location) => T): T[] {
  if (!Array.isArray(value)) throw expected(loc, 'an array', value);
  return value.map((item: unknown, i) => read(item, at(loc, i)));
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Any JSON object, kept as it is (free-form fields such as `config` and `details`). */
export function readFreeObject(value: unknown, loc: Location): Readonly<Record<string, unknown>> {
  if (!isPlainObject(value)) throw expected(loc, 'an object', value);
  return value;
}

/** An object used as a map: every value read by `read`. */
export function readRecord<T>(
  value: unknown,
  loc: Location,
  read: (v: unknown, l: Location) => T,
): Record<string, T> {
  if (!isPlainObject(value)) throw expected(loc, 'an object', value);
  const out: Record<string, T> = {};
  for (const [key, item] of Object.entries(value)) setOwn(out, key, read(item, at(loc, key)));
  return out;
}

/**
 * `out[key] = value` for a key taken from the input: an assignment to `__proto__` would set the
 * prototype instead and the key would vanish (tape header keys are kept whatever they are,
 * CONTRACTS §1). The object keeps its ordinary prototype for the code that reads it.
 */
export function setOwn<T>(out: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
}

/**
 * An object with known fields. `field` reads a required one, `optional` one that may be absent;
 * `done` records every key nobody asked for as ignored.
 */
export class ObjectReader {
  private readonly obj: Record<string, unknown>;
  private readonly seen = new Set<string>();

  constructor(
    value: unknown,
    readonly loc: Location,
  ) {
    if (!isPlainObject(value)) throw expected(loc, 'an object', value);
    this.obj = value;
  }

  field<T>(key: string, read: (v: unknown, l: Location) => T): T {
    this.seen.add(key);
    const l = at(this.loc, key);
    if (!Object.hasOwn(this.obj, key)) throw invalid(l, 'is missing');
    return read(this.obj[key], l);
  }

  optional<T>(key: string, read: (v: unknown, l: Location) => T): T | undefined {
    this.seen.add(key);
    if (!Object.hasOwn(this.obj, key) || this.obj[key] === undefined) return undefined;
    return read(this.obj[key], at(this.loc, key));
  }

  done(): void {
    for (const key of Object.keys(this.obj)) {
      if (!this.seen.has(key)) this.loc.ignored.push(at(this.loc, key).path);
    }
  }
}

/** JSON.parse with the file named in the error. */
export function parseJsonText(text: string, loc: Location): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    const lineText = loc.line === undefined ? '' : `:${loc.line}`;
    throw inputError(
      `${loc.file}${lineText} is not valid JSON: ${reason}`,
      loc.line === undefined ? { file: loc.file } : { file: loc.file, line: loc.line },
    );
  }
}
