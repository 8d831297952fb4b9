import { type Clock, systemClock } from '../../common/clock.js';
import { L2hError } from '../../common/errors.js';
import type { Logger } from '../../common/logger.js';
import type { Env, ProvisionContext, ServiceName } from './handle.js';

/** A ProvisionContext with every default filled in. */
export interface ResolvedContext {
  readonly logger: Logger;
  readonly env: Env;
  readonly clock: Clock;
}

export function resolveContext(ctx: ProvisionContext): ResolvedContext {
  return { logger: ctx.logger, env: ctx.env ?? process.env, clock: ctx.clock ?? systemClock };
}

/** `pause()` on a service we did not start: taking down someone else's server is not our call. */
export function notPausable(name: ServiceName, envVar: string): L2hError {
  return new L2hError(
    `Cannot pause ${name}: it came from ${envVar}, and only services we started can be paused`,
    {
      code: 'BAD_USAGE',
      context: { service: name },
      hint: `check handle.outage !== null before pausing, or unset ${envVar} so a local ${name} is started`,
    },
  );
}

/** A non-empty environment value, or undefined. */
export function envValue(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value ? value : undefined;
}

/** `pause()` or `resume()` on a handle after `stop()`: its process and data are gone. */
export function alreadyStopped(name: ServiceName): L2hError {
  return new L2hError(`Cannot pause or resume ${name}: it was stopped`, {
    code: 'BAD_USAGE',
    context: { service: name },
    hint: 'provision a new one',
  });
}
