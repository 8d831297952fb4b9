/**
 * The few server lines the feed itself acts on (the rest pass through untouched): IQConnect's
 * link status (IQFEED-PROTOCOL.md §5.10, §10), a refused protocol (§3.1, §11) and the status
 * field of the admin port's `S,STATS` (§7.2). Checked on every line, so the common case (a data
 * line) costs one character comparison.
 */

export type Signal =
  | { readonly kind: 'server'; readonly status: 'connected' | 'disconnected' | 'reconnect-failed' }
  | { readonly kind: 'protocol-refused'; readonly version: string }
  | { readonly kind: 'stats'; readonly status: string };

const S = 83;
const E = 69;

const SERVER: Readonly<Record<string, Signal>> = {
  'S,SERVER CONNECTED': { kind: 'server', status: 'connected' },
  'S,SERVER DISCONNECTED': { kind: 'server', status: 'disconnected' },
  'S,SERVER RECONNECT FAILED': { kind: 'server', status: 'reconnect-failed' },
};

const PROTOCOL_REFUSED = /^E,(.*) is not a valid protocol\.,?$/;

/** Index of the Status field in `S,STATS` (`S` = 0). */
const STATS_STATUS_FIELD = 12;

export function signalOf(line: string): Signal | null {
  const c = line.charCodeAt(0);
  if (c === S) {
    if (line.startsWith('S,STATS,')) {
      const status = line.split(',')[STATS_STATUS_FIELD];
      return status === undefined ? null : { kind: 'stats', status };
    }
    // IQConnect sends these without a trailing comma (§1.3); accept one anyway.
    return SERVER[line.endsWith(',') ? line.slice(0, -1) : line] ?? null;
  }
  if (c === E) {
    const m = PROTOCOL_REFUSED.exec(line);
    return m ? { kind: 'protocol-refused', version: m[1] } : null;
  }
  return null;
}

/** `Connected` → true, `Not Connected` → false, anything else unknown. */
export function statsConnected(status: string): boolean | null {
  const s = status.trim().toLowerCase();
  return s === 'connected' ? true : s === 'not connected' ? false : null;
}
