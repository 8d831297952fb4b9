/**
 * Deriving a journal after the fact: the options a journal implies (its first segment's headers)
 * and every record it yields. Tools and tests use it; the collector does the same in line.
 */
import { inputError } from '../../common/errors.js';
import { listSegments } from '../journal/layout.js';
import { readJournal } from '../journal/read.js';
import { parseSegmentHeader, SegmentCursor } from '../journal/segment-cursor.js';
import { Deriver, type DeriverOptions } from './deriver.js';
import { parseDeriverHeaders } from './journal-headers.js';
import type { RecordEnvelope } from './types.js';

/** Session, symbols, families and depth from the session's first segment. */
export async function deriverOptionsFromJournal(sessionDir: string): Promise<DeriverOptions> {
  const segments = await listSegments(sessionDir);
  if (segments.length === 0) throw inputError('the journal session has no segment', { dir: sessionDir });
  const cursor = await SegmentCursor.open(segments[0].path);
  try {
    const header = await cursor.readHeader();
    if (header === null)
      throw inputError('the first journal segment has no complete header', { file: segments[0].path });
    const seg = parseSegmentHeader(header, segments[0].path);
    const h = parseDeriverHeaders((k) => header.get(k), { file: segments[0].path });
    return { session: seg.session, symbols: h.symbols, families: h.families, depth: h.depth };
  } finally {
    await cursor.close();
  }
}

/** Every record of a journal, in the order the deriver emits them, batch by batch. */
export async function* deriveJournal(
  sessionDir: string,
  options?: DeriverOptions,
): AsyncGenerator<RecordEnvelope[]> {
  const deriver = new Deriver(options ?? (await deriverOptionsFromJournal(sessionDir)));
  for await (const entries of readJournal(sessionDir)) {
    const out: RecordEnvelope[] = [];
    for (const e of entries) deriver.push(e, out);
    if (out.length > 0) yield out;
  }
  const out: RecordEnvelope[] = [];
  deriver.end(out);
  if (out.length > 0) yield out;
}
