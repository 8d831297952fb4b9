/**
 * The journal's central promise, as a property: whatever the appends, rotations, restarts and
 * crashes (a crash cuts what the last run wrote at a random byte), what the journal holds is a
 * prefix of what was appended, in order and byte for byte, and a resumed session gives the
 * next line the next seq. fast-check prints the seed and path of any counterexample.
 */
import { readFile, rm, stat, truncate } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { Journal } from '../../../collector/journal/journal.js';
import type { Channel } from '../../../collector/protocol/channel.js';
import { ManualClock } from '../../../common/clock.js';
import { nextEasternMidnightUs } from '../../../common/eastern-time.js';
import { readAllEntries, segmentNames, tempDir } from './helpers.js';

type Op =
  | { readonly kind: 'append'; readonly channel: Channel; readonly line: string; readonly dtUs: number }
  | { readonly kind: 'flush' }
  | { readonly kind: 'event'; readonly event: 'connect' | 'disconnect'; readonly channel: Channel }
  | { readonly kind: 'nextDay' };

interface Phase {
  readonly ops: readonly Op[];
  readonly rotateBytes: number;
  readonly symbols: string;
  /** Where the crash after this run cuts what it wrote (fractions), or null for a clean stop. */
  readonly crash: { readonly lines: number; readonly events: number } | null;
}

const channel = fc.constantFrom<Channel>('L1', 'L2', 'ADMIN');
// Every byte but the line feed, with the awkward ones (TAB, CR, NUL, '#', high bytes) often.
const byte = fc.oneof(
  fc.constantFrom(9, 13, 0, 35, 0x80, 0xff, 44),
  fc.integer({ min: 0, max: 255 }).filter((b) => b !== 10),
);
const line = fc.array(byte, { maxLength: 60 }).map((bytes) => String.fromCharCode(...bytes));
const op: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 12,
    arbitrary: fc.record({
      kind: fc.constant('append' as const),
      channel,
      line,
      dtUs: fc.integer({ min: -3000, max: 40_000 }),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'flush' as const }) },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('event' as const),
      event: fc.constantFrom('connect' as const, 'disconnect' as const),
      channel,
    }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'nextDay' as const }) },
);
// Where in the bytes a run wrote a crash cuts: anywhere, and often at the very start or end.
const cutAt = fc.oneof(fc.double({ min: 0, max: 1, noNaN: true }), fc.constantFrom(0, 1));
const phase: fc.Arbitrary<Phase> = fc.record({
  ops: fc.array(op, { maxLength: 40 }),
  rotateBytes: fc.integer({ min: 120, max: 1500 }),
  symbols: fc.constantFrom('AAPL', 'AAPL,MSFT'),
  crash: fc.option(fc.record({ lines: cutAt, events: cutAt })),
});

interface Model {
  lines: { channel: Channel; line: string }[];
  events: { seq: number; event: string; channel: Channel }[];
}

let root: string;
let cleanupRoot: () => Promise<void>;
beforeAll(async () => {
  ({ path: root, cleanup: cleanupRoot } = await tempDir('journal-prop'));
});
afterAll(async () => {
  await cleanupRoot();
});

let runNo = 0;

test('appends, rotations, crashes at any byte and resumes keep the journal a prefix of what was appended', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(phase, { minLength: 1, maxLength: 4 }), async (phases) => {
      const dir = join(root, `run-${++runNo}`);
      const clock = new ManualClock(Date.parse('2012-06-21T22:00:00Z') * 1000);
      const model: Model = { lines: [], events: [] };
      const sessionDir = join(dir, 's');
      try {
        for (const p of phases) {
          const before = await fileSizes(sessionDir);
          const j = await Journal.open({
            dir,
            clock,
            session: 's',
            rotateBytes: p.rotateBytes,
            flushIntervalMs: 50,
            headers: [['symbols', p.symbols]],
          });
          expect(j.nextSeq).toBe(model.lines.length + 1);
          for (const o of p.ops) {
            switch (o.kind) {
              case 'append': {
                // A negative step is the wall clock stepping back: the journal must cope.
                if (o.dtUs > 0) clock.advanceUs(o.dtUs);
                const seq = j.append(o.channel, o.line, clock.wallUs() + Math.min(o.dtUs, 0));
                expect(seq).toBe(model.lines.length + 1);
                model.lines.push({ channel: o.channel, line: o.line });
                break;
              }
              case 'flush':
                await j.flush();
                expect(j.durableSeq).toBe(model.lines.length);
                break;
              case 'event':
                model.events.push({
                  seq: j.recordEvent({ event: o.event, channel: o.channel }),
                  event: o.event,
                  channel: o.channel,
                });
                break;
              case 'nextDay':
                clock.advanceUs(nextEasternMidnightUs(clock.wallUs()) - clock.wallUs() + 1);
                break;
            }
          }
          await j.close();
          await expectJournalEquals(sessionDir, model);
          if (p.crash) await crash(sessionDir, before, p.crash, model);
        }
        const last = await Journal.open({ dir, clock, session: 's' });
        expect(last.nextSeq).toBe(model.lines.length + 1);
        await last.close();
        await expectJournalEquals(sessionDir, model);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    }),
    { numRuns: Number(process.env.L2H_PROPERTY_RUNS ?? 100) },
  );
}, 300_000);

async function expectJournalEquals(sessionDir: string, model: Model): Promise<void> {
  const entries = await readAllEntries(sessionDir);
  const lines = entries.flatMap((e) => (e.type === 'line' ? [{ channel: e.channel, line: e.line }] : []));
  expect(lines).toEqual(model.lines);
  expect(entries.filter((e) => e.type === 'line').map((e) => e.seq)).toEqual(
    model.lines.map((_, i) => i + 1),
  );
  const events = entries.flatMap((e) =>
    e.type === 'event' ? [{ seq: e.seq, event: e.event, channel: e.channel }] : [],
  );
  expect(events).toEqual(model.events);
  // Each event sits right before the line with its seq (or at the end).
  let lastLineSeq = 0;
  for (const e of entries) {
    if (e.type === 'line') lastLineSeq = e.seq;
    else expect(e.seq).toBe(lastLineSeq + 1);
  }
}

async function fileSizes(sessionDir: string): Promise<Map<string, number>> {
  const sizes = new Map<string, number>();
  const names = await segmentNames(sessionDir).catch(() => [] as string[]);
  for (const name of [...names, 'events.jsonl']) {
    sizes.set(
      name,
      await stat(join(sessionDir, name)).then(
        (s) => s.size,
        () => 0,
      ),
    );
  }
  return sizes;
}

/**
 * Cut what the last run wrote at a random byte, as a crash would: the segments it wrote, in
 * order, are one stream of bytes, cut at `at.lines`; `events.jsonl` is cut at `at.events`.
 * The model keeps the lines that were complete before the cut, and the events that were
 * complete and do not describe a moment after the last surviving line.
 */
async function crash(
  sessionDir: string,
  before: Map<string, number>,
  at: { lines: number; events: number },
  model: Model,
): Promise<void> {
  const names = await segmentNames(sessionDir);
  const written = await Promise.all(
    names.map(async (name) => ({
      name,
      from: before.get(name) ?? 0,
      to: (await stat(join(sessionDir, name))).size,
    })),
  );
  const grown = written.filter((w) => w.to > w.from);
  const total = grown.reduce((sum, w) => sum + (w.to - w.from), 0);
  let cut = Math.floor(at.lines * total);
  let survivors = 0;
  let cutDone = false;
  for (const { name, from, to } of written) {
    const path = join(sessionDir, name);
    const text = await readFile(path, 'latin1');
    let keep = to;
    if (cutDone) keep = 0;
    else if (to > from) {
      if (cut < to - from) {
        keep = from + cut;
        cutDone = true;
      } else cut -= to - from;
    }
    survivors += completeBodyLines(text, keep);
    if (keep === 0) await rm(path);
    else if (keep < to) await truncate(path, keep);
  }
  model.lines.length = survivors;

  const eventsPath = join(sessionDir, 'events.jsonl');
  const eventsFrom = before.get('events.jsonl') ?? 0;
  const eventsTo = await stat(eventsPath).then((s) => s.size);
  const eventsKeep = eventsFrom + Math.floor(at.events * (eventsTo - eventsFrom));
  await truncate(eventsPath, eventsKeep);
  const completeEvents = (await readFile(eventsPath, 'latin1')).split('\n').length - 1;
  model.events.length = completeEvents;
  const beyond = model.events.findIndex((e) => e.seq > survivors + 1);
  if (beyond !== -1) model.events.length = beyond;
}

/** Body lines of a segment that end (with their `\n`) within the first `length` bytes. */
function completeBodyLines(text: string, length: number): number {
  let n = 0;
  for (let pos = 0; pos < length; ) {
    const nl = text.indexOf('\n', pos);
    if (nl === -1 || nl >= length) break;
    if (text[pos] !== '#') n++;
    pos = nl + 1;
  }
  return n;
}
