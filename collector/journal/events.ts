/**
 * Connection events, kept beside the segments in `events.jsonl`. An event's `seq` is the seq
 * the next journaled line gets: it happened after line `seq − 1` and before line `seq`, so a
 * reader merges events and lines by seq alone.
 */
import { inputError } from '../../common/errors.js';
import type { Channel } from '../protocol/channel.js';
import { isChannel } from '../tape/format.js';

export type ConnectionEventKind = 'connect' | 'disconnect';

/** What the collector reports; the journal assigns the seq. */
export interface ConnectionEventInput {
  readonly event: ConnectionEventKind;
  readonly channel: Channel;
  /** Epoch µs of the event (default: the journal's clock). */
  readonly us?: number;
  readonly reason?: string;
}

export interface JournalEvent {
  readonly type: 'event';
  readonly seq: number;
  readonly event: ConnectionEventKind;
  readonly channel: Channel;
  readonly us: number;
  readonly reason?: string;
}

export interface JournalLine {
  readonly type: 'line';
  readonly seq: number;
  readonly channel: Channel;
  /** The protocol line as received, latin1, without its terminator. */
  readonly line: string;
  /** Epoch µs: the segment's `#start-us` plus the line's offset. */
  readonly receivedUs: number;
}

/** What a journal reader yields, in seq order; an event comes before the line with its seq. */
export type JournalEntry = JournalLine | JournalEvent;

/** One `events.jsonl` line, with the field order ARCHITECTURE.md shows. */
export function formatEvent(seq: number, input: ConnectionEventInput, us: number): string {
  const body: Record<string, string | number> = { seq, event: input.event, channel: input.channel, us };
  if (input.reason !== undefined) body.reason = input.reason;
  // Pure ASCII, so the file reads the same as latin1 or UTF-8 and byte offsets equal char offsets.
  return `${JSON.stringify(body).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)}\n`;
}

/** Parse one `events.jsonl` line (without `\n`); BAD_INPUT naming file and line when wrong. */
export function parseEvent(text: string, file: string, lineNo: number): JournalEvent {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw inputError('an events.jsonl line is not JSON', { file, line: lineNo });
  }
  const o = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  const { seq, event, channel, us, reason } = o;
  if (
    typeof seq !== 'number' ||
    !Number.isSafeInteger(seq) ||
    seq < 1 ||
    (event !== 'connect' && event !== 'disconnect') ||
    !isChannel(channel) ||
    typeof us !== 'number' ||
    (reason !== undefined && typeof reason !== 'string')
  ) {
    throw inputError(
      'an events.jsonl line must be {"seq":N≥1,"event":"connect"|"disconnect","channel":"L1"|"L2"|"ADMIN","us":N,"reason"?:string}',
      { file, line: lineNo },
    );
  }
  return typeof reason === 'string'
    ? { type: 'event', seq, event, channel, us, reason }
    : { type: 'event', seq, event, channel, us };
}
