/**
 * How a scenario's test turns a piece of the collector's recovery off, to show that the
 * scenario's verification fails without it. Each sabotage is a module preloaded into the child
 * processes with `node --import` (from the same build as the `l2h` they run), so the collector's
 * own code carries no switch for it. Never used by a real run.
 */
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { l2hCliPath } from '../../common/cli-path.js';
import { withEnv } from './common.js';

export type PreloadSabotage = 'no-reconnect' | 'short-lines' | 'no-catchup' | 'slow-jsonl';

/** Run `fn` with `NODE_OPTIONS` preloading the sabotage into the children it starts. */
export function withSabotage<T>(which: PreloadSabotage | null, fn: () => Promise<T>): Promise<T> {
  if (which === null) return fn();
  const module = join(dirname(l2hCliPath()), '..', 'harness', 'scenarios', 'sabotage', `${which}.js`);
  const before = process.env['NODE_OPTIONS'];
  const options = `${before ? `${before} ` : ''}--import=${pathToFileURL(module).href}`;
  return withEnv('NODE_OPTIONS', options, fn);
}
