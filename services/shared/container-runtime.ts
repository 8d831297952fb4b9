import type { Logger } from '../../common/logger.js';
import type { Env } from './handle.js';

type Testcontainers = typeof import('testcontainers');

let runtimeProbe: Promise<Testcontainers | null> | null = null;

/**
 * testcontainers, when a container runtime answers; null otherwise (no Docker engine, the
 * package missing, or `TESTCONTAINERS_DISABLED=1`). The probe runs once per process: without a
 * runtime, testcontainers 11.14 rejects in 0–15 ms with "Could not find a working container
 * runtime strategy".
 */
export function containerRuntime(env: Env, logger: Logger): Promise<Testcontainers | null> {
  if (env.TESTCONTAINERS_DISABLED === '1' || env.TESTCONTAINERS_DISABLED === 'true') {
    return Promise.resolve(null);
  }
  runtimeProbe ??= probe(logger);
  return runtimeProbe;
}

async function probe(logger: Logger): Promise<Testcontainers | null> {
  let tc: Testcontainers;
  try {
    tc = await import('testcontainers');
  } catch (err) {
    logger.debug({ err }, 'testcontainers is not installed: skipping containers');
    return null;
  }
  try {
    await tc.getContainerRuntimeClient();
    return tc;
  } catch (err) {
    logger.debug({ reason: err instanceof Error ? err.message : String(err) }, 'no container runtime');
    return null;
  }
}

/**
 * Freeze or thaw a container (`docker pause` / `unpause`): its ports stay mapped and its data
 * stays in place, while clients see a server that no longer answers.
 */
export async function setContainerPaused(
  tc: Testcontainers,
  containerId: string,
  paused: boolean,
): Promise<void> {
  const client = await tc.getContainerRuntimeClient();
  const container = client.container.getById(containerId);
  if (paused) await container.pause();
  else await container.unpause();
}
