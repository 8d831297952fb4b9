/**
 * What a scenario needs to know about a finished run's journal, in one pass with the verifier's
 * own journal reader: the connections per channel, the feed boundaries (a reconnect, or
 * `S,SERVER DISCONNECTED`) and, after each, where every symbol was resynced (its first data line
 * on that channel); the journal seq, byte length and SHA-256 of the line at chosen (connection,
 * line) positions; and, with the
 * collector's codec, every line a client cannot decode.
 */
import { createHash } from 'node:crypto';
import type { Channel } from '../../collector/protocol/channel.js';
import { createDecoder, isDecodeError } from '../../collector/protocol/index.js';
import { readJournal } from '../verify/journal-reader.js';

export interface JournalConnection {
  readonly channel: Channel;
  /** 0-based among the channel's connections (feed-check names it `L2#${index + 1}`). */
  readonly index: number;
  readonly connectSeq: number;
  lines: number;
  disconnectSeq: number | null;
  disconnectReason: string | null;
}

export interface Boundary {
  readonly channel: 'L1' | 'L2';
  /** The seq the next line got when it happened. */
  readonly seq: number;
  readonly cause: 'reconnect' | 'server-disconnected';
  /** Per symbol: the seq of its first data line on the channel after the boundary (its resync). */
  readonly resyncedAt: Map<string, number>;
}

export interface LinePosition {
  readonly channel: Channel;
  /** 0-based index of the connection on its channel. */
  readonly connection: number;
  /** 0-based index of the line on that connection. */
  readonly line: number;
}

export interface JournalFacts {
  readonly lines: number;
  readonly connections: readonly JournalConnection[];
  readonly boundaries: readonly Boundary[];
  /** `channel/connection/line` → the line journaled there, for the positions asked for. */
  readonly positions: ReadonlyMap<string, JournaledLine>;
  /** Lines the collector's codec cannot decode, when asked for. */
  readonly undecodable: number;
  readonly undecodableSeqs: readonly number[];
}

/** A journaled line as the simulator reports a line it sent: latin1 bytes, no terminator. */
export interface JournaledLine {
  readonly seq: number;
  readonly bytes: number;
  readonly sha256: string;
}

export const positionKey = (p: LinePosition): string => `${p.channel}/${p.connection}/${p.line}`;

const L1_DATA = new Set(['Q', 'P', 'F', 'R', 'C']);
const L2_DATA = new Set(['0', '2', '3', '4', '5', '6', '7', '8', '9', 'Z', 'U']);

/** The symbol a data line is about (the field after its type), null for other lines. */
function dataSymbol(channel: Channel, line: string): string | null {
  if (line.charCodeAt(1) !== 44) return null;
  const types = channel === 'L1' ? L1_DATA : channel === 'L2' ? L2_DATA : null;
  if (types === null || !types.has(line[0]!)) return null;
  const end = line.indexOf(',', 2);
  return end < 0 ? null : line.slice(2, end);
}

export interface FactsOptions {
  readonly journalDir: string;
  readonly symbols: readonly string[];
  readonly positions?: readonly LinePosition[];
  /** Decode every line with the collector's codec and count what fails. */
  readonly decode?: boolean;
  /** Keep at most this many undecodable seqs (the count is always exact). */
  readonly keepSeqs?: number;
}

export async function journalFacts(options: FactsOptions): Promise<JournalFacts> {
  const connections: JournalConnection[] = [];
  const current: Partial<Record<Channel, JournalConnection>> = {};
  const perChannel: Record<Channel, number> = { L1: 0, L2: 0, ADMIN: 0 };
  const boundaries: Boundary[] = [];
  const waiting: Record<'L1' | 'L2', { b: Boundary; missing: Set<string> }[]> = { L1: [], L2: [] };
  const wanted = new Set((options.positions ?? []).map(positionKey));
  const positions = new Map<string, JournaledLine>();
  const decoders = options.decode
    ? { L1: createDecoder('L1'), L2: createDecoder('L2'), ADMIN: createDecoder('ADMIN') }
    : null;
  let undecodable = 0;
  const undecodableSeqs: number[] = [];
  const keep = options.keepSeqs ?? 1000;
  let lines = 0;

  const boundary = (channel: 'L1' | 'L2', seq: number, cause: Boundary['cause']): void => {
    const b: Boundary = { channel, seq, cause, resyncedAt: new Map() };
    boundaries.push(b);
    waiting[channel].push({ b, missing: new Set(options.symbols) });
  };

  for await (const batch of readJournal(options.journalDir)) {
    for (const item of batch) {
      if (item.kind === 'event') {
        if (item.event === 'connect') {
          const c: JournalConnection = {
            channel: item.channel,
            index: perChannel[item.channel]++,
            connectSeq: item.seq,
            lines: 0,
            disconnectSeq: null,
            disconnectReason: null,
          };
          connections.push(c);
          current[item.channel] = c;
          if (c.index > 0 && item.channel !== 'ADMIN') boundary(item.channel, item.seq, 'reconnect');
        } else {
          const c = current[item.channel];
          if (c) {
            c.disconnectSeq = item.seq;
            c.disconnectReason = item.reason;
          }
        }
        continue;
      }
      lines = item.seq;
      const ch = item.channel;
      let c = current[ch];
      if (!c) {
        c = {
          channel: ch,
          index: perChannel[ch]++,
          connectSeq: item.seq,
          lines: 0,
          disconnectSeq: null,
          disconnectReason: null,
        };
        connections.push(c);
        current[ch] = c;
      }
      if (wanted.size > 0) {
        const key = `${ch}/${c.index}/${c.lines}`;
        if (wanted.has(key)) {
          positions.set(key, {
            seq: item.seq,
            bytes: Buffer.byteLength(item.line, 'latin1'),
            sha256: createHash('sha256').update(item.line, 'latin1').digest('hex'),
          });
        }
      }
      c.lines++;
      if (decoders !== null && isDecodeError(decoders[ch].decode(item.line))) {
        undecodable++;
        if (undecodableSeqs.length < keep) undecodableSeqs.push(item.seq);
      }
      if (ch === 'ADMIN') continue;
      if (item.line === 'S,SERVER DISCONNECTED') {
        boundary(ch, item.seq + 1, 'server-disconnected');
        continue;
      }
      const open = waiting[ch];
      if (open.length === 0) continue;
      const sym = dataSymbol(ch, item.line);
      if (sym === null) continue;
      for (let i = 0; i < open.length; i++) {
        const w = open[i]!;
        if (w.missing.delete(sym)) w.b.resyncedAt.set(sym, item.seq);
      }
      if (open.some((w) => w.missing.size === 0)) waiting[ch] = open.filter((w) => w.missing.size > 0);
    }
  }
  return { lines, connections, boundaries, positions, undecodable, undecodableSeqs };
}
