/**
 * Preloaded into the collector (`node --import`) by the disconnect-storm sabotage, never in a
 * real run: a feed connection that ends is not reconnected and no watch is re-sent, so the
 * scenario can show that its verification fails when the collector does not recover.
 */
import { Link } from '../../../collector/feed/link.js';

type Patchable = Record<string, unknown>;
const proto = Link.prototype as unknown as Patchable;
if (typeof proto['scheduleRetry'] !== 'function' || typeof proto['resync'] !== 'function') {
  // The collector changed shape: fail loudly rather than sabotage nothing.
  throw new Error('sabotage: Link.scheduleRetry / Link.resync not found');
}
proto['scheduleRetry'] = () => {};
proto['resync'] = () => {};
