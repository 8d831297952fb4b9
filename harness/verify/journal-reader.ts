import { createReadStream } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createGunzip } from 'node:zlib';
import type { Channel } from '../../collector/protocol/channel.js';
import { inputError } from '../../common/errors.js';

/**
 * The verifier's own reader of a collector journal. It shares nothing with the collector's
 * journal code on purpose: if the collector numbered or dropped lines wrongly, a shared reader
 * would make the same mistake and the check could not fail.
 */
export interface JournalLineItem {
  readonly kind: 'line';
  readonly seq: number;
  readonly channel: Channel;
  readonly line: string;
  readonly receivedUs: number;
}

export interface JournalEventItem {
  readonly kind: 'event';
  /** The seq the next journaled line got when the event happened. */
  readonly seq: number;
  readonly event: 'connect' | 'disconnect';
  readonly channel: Channel;
  readonly us: number;
  readonly reason: string | null;
}

export type JournalItem = JournalLineItem | JournalEventItem;

export interface JournalSessionInfo {
  readonly dir: string;
  readonly session: string;
  readonly segments: readonly string[];
  /** Headers of the first segment, in file order. */
  readonly headers: Readonly<Record<string, string>>;
}

const SEGMENT = /^journal-(\d+)\.tape(\.gz)?$/;

export async function journalSessionInfo(dir: string): Promise<JournalSessionInfo> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    throw inputError('cannot read the journal directory', { dir }, String(err));
  }
  const segments = names
    .filter((n) => SEGMENT.test(n))
    .sort((a, b) => Number(SEGMENT.exec(a)![1]) - Number(SEGMENT.exec(b)![1]))
    .map((n) => join(dir, n));
  if (segments.length === 0) throw inputError('no journal segments found', { dir });
  const headers: Record<string, string> = {};
  for await (const l of lines(segments[0]!)) {
    if (!l.startsWith('#')) break;
    const sp = l.indexOf(' ');
    headers[sp < 0 ? l.slice(1) : l.slice(1, sp)] = sp < 0 ? '' : l.slice(sp + 1);
  }
  return { dir, session: headers['session'] ?? '', segments, headers };
}

/** Lines split on LF only: a journaled line may itself contain a CR, which readline would split on. */
async function* lines(path: string): AsyncIterable<string> {
  const raw = createReadStream(path, { highWaterMark: 1 << 20 });
  const input = path.endsWith('.gz') ? raw.pipe(createGunzip()) : raw;
  input.setEncoding('latin1');
  let rest = '';
  for await (const chunk of input as AsyncIterable<string>) {
    const text = rest + chunk;
    let start = 0;
    for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
      yield text.slice(start, nl);
      start = nl + 1;
    }
    rest = text.slice(start);
  }
  // An unterminated last line is a torn write the collector will truncate on resume: not a line.
}

async function readEvents(dir: string): Promise<JournalEventItem[]> {
  let text: string;
  try {
    text = await readFile(join(dir, 'events.jsonl'), 'utf8');
  } catch {
    return [];
  }
  const out: JournalEventItem[] = [];
  let n = 0;
  for (const l of text.split('\n')) {
    n++;
    if (!l.trim()) continue;
    let e: { seq?: unknown; event?: unknown; channel?: unknown; us?: unknown; reason?: unknown };
    try {
      e = JSON.parse(l) as typeof e;
    } catch {
      // A torn last line after a crash is expected; anything else is an error worth naming.
      if (n >= text.split('\n').length - 1) continue;
      throw inputError('malformed journal event', { file: join(dir, 'events.jsonl'), line: n });
    }
    if (typeof e.seq !== 'number' || (e.event !== 'connect' && e.event !== 'disconnect')) continue;
    out.push({
      kind: 'event',
      seq: e.seq,
      event: e.event,
      channel: e.channel as Channel,
      us: typeof e.us === 'number' ? e.us : 0,
      reason: typeof e.reason === 'string' ? e.reason : null,
    });
  }
  return out.sort((a, b) => a.seq - b.seq);
}

/**
 * Every line and connection event of a journal session, in seq order (an event with seq N comes
 * before line N). Yields batches to keep per-item overhead low on multi-million-line journals.
 */
export async function* readJournal(dir: string, batchSize = 4096): AsyncIterable<readonly JournalItem[]> {
  const info = await journalSessionInfo(dir);
  const events = await readEvents(dir);
  let ev = 0;
  let seq = 0;
  let batch: JournalItem[] = [];
  for (const segment of info.segments) {
    let startUs = 0;
    let fileLine = 0;
    for await (const l of lines(segment)) {
      fileLine++;
      if (l.startsWith('#')) {
        if (l.startsWith('#start-us ')) startUs = Number(l.slice(10));
        else if (l.startsWith('#seq-base ')) {
          const base = Number(l.slice(10));
          if (base !== seq) {
            throw inputError(
              `journal segment starts at seq ${base + 1} but the previous one ended at ${seq}`,
              {
                file: segment,
              },
            );
          }
        }
        continue;
      }
      const t1 = l.indexOf('\t');
      const t2 = t1 < 0 ? -1 : l.indexOf('\t', t1 + 1);
      if (t2 < 0) throw inputError('journal line without two TABs', { file: segment, line: fileLine });
      seq++;
      while (ev < events.length && events[ev]!.seq <= seq) batch.push(events[ev++]!);
      batch.push({
        kind: 'line',
        seq,
        channel: l.slice(t1 + 1, t2) as Channel,
        line: l.slice(t2 + 1),
        receivedUs: startUs + Number(l.slice(0, t1)),
      });
      if (batch.length >= batchSize) {
        yield batch;
        batch = [];
      }
    }
  }
  while (ev < events.length) batch.push(events[ev++]!);
  if (batch.length > 0) yield batch;
}
