/**
 * Preloaded into the collector (`node --import`) by the hostile-feed sabotage, never in a real
 * run: the collector frames with a 64 KiB line limit, so a 1 MiB line is journaled in pieces
 * instead of as the line that was sent, and the scenario's verification must catch it.
 */
import { LineFramer } from '../../../collector/protocol/framing.js';

const LIMIT = 64 * 1024;
type Patchable = Record<string, unknown>;
const proto = LineFramer.prototype as unknown as Patchable;
const push = proto['push'];
if (typeof push !== 'function') throw new Error('sabotage: LineFramer.push not found');
proto['push'] = function (this: Patchable, chunk: Buffer): string[] {
  if (this['maxLineBytes'] !== LIMIT) Object.defineProperty(this, 'maxLineBytes', { value: LIMIT });
  return (push as (c: Buffer) => string[]).call(this, chunk);
};
