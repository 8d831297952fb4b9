import type { Assessment, CollectorStatus, StatusState } from './status.js';

const SEVERITY: Readonly<Record<StatusState, number>> = { ok: 0, degraded: 1, down: 2 };

/**
 * The monitor's verdict on a status: the collector's own state, raised to `down` when a feed port
 * is disconnected, IQConnect reports its server link down, or a sink is stuck. The collector may
 * already say so; this makes the badge and `/health` red on those conditions even if it does not.
 *
 * Reasons: the collector's own, plus ours only when ours are worse, so a collector that already
 * reports the disconnect is not echoed twice in other words.
 */
export function assessStatus(status: CollectorStatus): Assessment {
  const ours = hardFailures(status);
  const own = status.stateReasons;
  if (ours.length === 0 || SEVERITY[status.state] >= SEVERITY.down) {
    return { state: status.state, reasons: own };
  }
  return { state: 'down', reasons: [...own, ...ours] };
}

/** Conditions that make the collector useless right now, each as a sentence with its numbers. */
function hardFailures(status: CollectorStatus): string[] {
  const reasons: string[] = [];
  for (const p of status.ports) {
    if (!p.connected) {
      reasons.push(`${p.channel} port ${p.host}:${p.port} disconnected (${p.reconnects} reconnects so far)`);
    } else if (p.serverConnected === false) {
      reasons.push(`IQConnect reports its server link down on ${p.channel} (${p.host}:${p.port})`);
    }
  }
  for (const s of status.sinks) {
    if (s.stuck) {
      reasons.push(`sink ${s.name} stuck at checkpoint ${s.checkpointSeq}, lag ${s.lag} lines`);
    }
  }
  return reasons;
}

/** HTTP status for `/health`: probes take any 2xx as alive, so only `down` fails them. */
export function healthHttpStatus(state: StatusState): 200 | 503 {
  return state === 'down' ? 503 : 200;
}
