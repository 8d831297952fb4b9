import type { JournalEntry } from '../../../collector/journal/events.js';
import type { Channel } from '../../../collector/protocol/channel.js';
import { Deriver, type DeriverOptions } from '../../../collector/records/deriver.js';
import type { RecordEnvelope } from '../../../collector/records/types.js';
import { easternToEpochUs } from '../../../common/eastern-time.js';

/** 2025-07-25 09:30:00 US Eastern, as epoch µs: receive times in these tests count from here. */
export const T0 = easternToEpochUs('2025-07-25', '09:30:00');

/**
 * A journal written by hand: lines get seqs 1, 2, 3…; an event gets the seq of the next line.
 * Receive times advance 1 ms per line unless given.
 */
export class JournalScript {
  readonly entries: JournalEntry[] = [];
  private seq = 1;
  us = T0;

  line(channel: Channel, line: string, us?: number): number {
    this.us = us ?? this.us + 1000;
    const seq = this.seq++;
    this.entries.push({ type: 'line', seq, channel, line, receivedUs: this.us });
    return seq;
  }

  l1(line: string, us?: number): number {
    return this.line('L1', line, us);
  }

  l2(line: string, us?: number): number {
    return this.line('L2', line, us);
  }

  event(event: 'connect' | 'disconnect', channel: Channel, us?: number, reason?: string): number {
    const seq = this.seq;
    this.entries.push(
      reason === undefined
        ? { type: 'event', seq, event, channel, us: us ?? this.us }
        : { type: 'event', seq, event, channel, us: us ?? this.us, reason },
    );
    return seq;
  }

  /** Connect events for L1 and L2 (the session's first connection). */
  connectAll(): this {
    this.event('connect', 'L1');
    this.event('connect', 'L2');
    return this;
  }
}

export interface Derived {
  readonly deriver: Deriver;
  readonly records: RecordEnvelope[];
}

export function derive(
  entries: readonly JournalEntry[],
  options: Partial<DeriverOptions> = {},
  end = true,
): Derived {
  const deriver = new Deriver({ session: 'S1', symbols: [], ...options });
  const records: RecordEnvelope[] = [];
  for (const e of entries) deriver.push(e, records);
  if (end) deriver.end(records);
  return { deriver, records };
}

/** Records as plain objects (parsed from their JSON, the form every sink stores). */
export function parsed(records: readonly RecordEnvelope[]): Record<string, unknown>[] {
  return records.map((r) => JSON.parse(r.json) as Record<string, unknown>);
}

export function ofKind(records: readonly RecordEnvelope[], kind: string): Record<string, unknown>[] {
  return parsed(records.filter((r) => r.kind === kind));
}

/** Levels of an L2 record as [price, size] pairs, best first. */
export function sides(record: Record<string, unknown>): { bids: number[][]; asks: number[][] } {
  const pairs = (v: unknown) => (v as { price: number; size: number }[]).map((l) => [l.price, l.size]);
  return { bids: pairs(record.bids), asks: pairs(record.asks) };
}
