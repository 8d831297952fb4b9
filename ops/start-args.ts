/**
 * `l2h start [--headless|--ui] [start flags] [collector flags…]`: the start flags are ours, every
 * other argument goes to `l2h collect` as given. Flags the run folder owns (`--pid-file`,
 * `--log-file`, `--status-file`) are refused, so that status, stop and logs find the files.
 */
import { usageError } from '../common/errors.js';
import { ROTATION_DEFAULTS } from './log-rotation.js';
import type { StartMode } from './start-record.js';

export interface StartFlags {
  readonly mode: StartMode;
  readonly runDir: string | undefined;
  readonly timeoutS: number;
  readonly logMaxMb: number;
  readonly logKeep: number;
  readonly resume: boolean;
}

export interface SplitArgs {
  readonly flags: StartFlags;
  readonly collect: readonly string[];
}

const OWNED_BY_RUN_DIR = ['--pid-file', '--log-file', '--status-file'];

const WITH_VALUE = new Set(['--run-dir', '--timeout-s', '--log-max-mb', '--log-keep']);
const SWITCHES = new Set(['--headless', '--ui', '--resume']);

function positive(flag: string, text: string | undefined, integer: boolean): number {
  const n = Number(text);
  if (
    text === undefined ||
    text.trim() === '' ||
    !Number.isFinite(n) ||
    n <= 0 ||
    (integer && !Number.isInteger(n))
  ) {
    throw usageError(
      `${flag} must be a positive ${integer ? 'whole ' : ''}number, got ${JSON.stringify(text ?? '')}`,
    );
  }
  return n;
}

/** Pull our flags out of `argv` (anywhere in it); the rest, in order, is the collector's. */
export function splitStartArgs(argv: readonly string[]): SplitArgs {
  const own = new Map<string, string>();
  const collect: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    if (SWITCHES.has(name)) {
      if (eq > 0) throw usageError(`${name} takes no value, got ${JSON.stringify(arg)}`);
      own.set(name, '');
    } else if (WITH_VALUE.has(name)) {
      const value = eq > 0 ? arg.slice(eq + 1) : argv[++i];
      if (value === undefined)
        throw usageError(`${name} needs a value`, `e.g. ${name} ${name === '--run-dir' ? 'run' : '30'}`);
      own.set(name, value);
    } else if (OWNED_BY_RUN_DIR.includes(name)) {
      throw usageError(
        `l2h start manages ${name} itself (in the run folder)`,
        'drop it, or pick the folder with --run-dir DIR',
      );
    } else {
      collect.push(arg);
    }
  }
  if (own.has('--headless') && own.has('--ui'))
    throw usageError('--headless and --ui exclude each other: pick one');
  return {
    flags: {
      mode: own.has('--ui') ? 'ui' : 'headless',
      runDir: own.get('--run-dir'),
      timeoutS: own.has('--timeout-s') ? positive('--timeout-s', own.get('--timeout-s'), false) : 30,
      logMaxMb: own.has('--log-max-mb')
        ? positive('--log-max-mb', own.get('--log-max-mb'), false)
        : ROTATION_DEFAULTS.maxBytes / 1024 / 1024,
      logKeep: own.has('--log-keep')
        ? positive('--log-keep', own.get('--log-keep'), true)
        : ROTATION_DEFAULTS.keep,
      resume: own.has('--resume'),
    },
    collect,
  };
}

/** The value of `flag` in collector arguments (`--flag v` or `--flag=v`), the last one winning. */
export function flagValue(args: readonly string[], flag: string): string | undefined {
  let value: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === flag) value = args[i + 1];
    else if (a.startsWith(`${flag}=`)) value = a.slice(flag.length + 1);
  }
  return value;
}
