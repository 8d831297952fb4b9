import type { ServiceHandle } from '../shared/handle.js';

/** A started Redis: `url` is `redis://host:port` (with credentials if the source has them). */
export interface RedisHandle extends ServiceHandle {
  readonly name: 'redis';
  readonly url: string;
}
