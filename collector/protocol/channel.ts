/** The IQConnect port a line travelled on, as a tape names it (CONTRACTS §1). */
export type Channel = 'L1' | 'L2' | 'ADMIN';

export const CHANNELS: readonly Channel[] = ['L1', 'L2', 'ADMIN'];

/** IQConnect's default ports. */
export const DEFAULT_PORTS: Readonly<Record<Channel, number>> = { L1: 5009, L2: 9200, ADMIN: 9300 };

/** Parse a user-supplied channel name (`L1`, `l2`, `admin`…); null when it is none of them. */
export function parseChannel(text: string): Channel | null {
  const t = text.trim().toUpperCase();
  return t === 'L1' || t === 'L2' || t === 'ADMIN' ? t : null;
}
