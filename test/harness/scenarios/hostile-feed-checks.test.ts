/**
 * The hostile-feed "bad-lines-journaled" check on its own (no processes): a bad line counts as
 * journaled only when the line at the place the simulator reported is the line it injected
 * (same byte length, same SHA-256), not merely when the connection has some line there.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { badLinesJournaledCheck, locateBadLines } from '../../../harness/scenarios/hostile-feed.js';
import { journalFacts, type LinePosition, positionKey } from '../../../harness/scenarios/journal-facts.js';
import type { InjectedFault } from '../../../simulator/faults/injector.js';

const root = mkdtempSync(join(tmpdir(), 'l2h-hostile-checks-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const feed = (n: number): string[] => Array.from({ length: n }, (_, i) => `2,AAPL,${i},585.33,100`);
const sha256 = (line: string): string => createHash('sha256').update(line, 'latin1').digest('hex');
/** A 1 MiB line of the shape the simulator's oversized fault makes. */
const HUGE = `8,AAPL,B,${'x'.repeat(1024 * 1024 - 9)}`;

let n = 0;
/** A one-connection L2 journal session holding `lines` (latin1, as the collector writes it). */
async function journal(lines: readonly string[]): Promise<string> {
  const dir = join(root, `s-${++n}`);
  await mkdir(dir, { recursive: true });
  const head = ['#l2tape 1', '#session s-1', '#symbols AAPL', '#seq-base 0', '#start-us 0'];
  const body = lines.map((l) => `0\tL2\t${l}`);
  await writeFile(join(dir, 'journal-000001.tape'), `${[...head, ...body].join('\n')}\n`, 'latin1');
  await writeFile(
    join(dir, 'events.jsonl'),
    `${JSON.stringify({ seq: 1, event: 'connect', channel: 'L2', us: 0 })}\n`,
  );
  return dir;
}

/** The simulator's report of one oversized line put at `wireLine` of connection 7 (L2#1). */
function oversizedAt(wireLine: number, line = HUGE): InjectedFault {
  return {
    n: 1,
    kind: 'oversized',
    channel: 'L2',
    symbol: 'AAPL',
    planned: 'line 60',
    connection: 7,
    connectionLine: wireLine,
    wireLine,
    channelLine: wireLine,
    simMs: 0,
    detail: `one ${line.length}-byte line inserted`,
    addedLines: 1,
    addedLine: { bytes: line.length, sha256: sha256(line) },
  };
}

const names = new Map([[7, { name: 'L2#1', index: 0 }]]);

async function checkOf(lines: readonly string[], bad: readonly InjectedFault[]) {
  const positions: LinePosition[] = bad.map((f) => ({ channel: f.channel, connection: 0, line: f.wireLine }));
  const facts = await journalFacts({ journalDir: await journal(lines), symbols: ['AAPL'], positions });
  const located = locateBadLines(bad, names, facts);
  return { facts, located, check: badLinesJournaledCheck(located, { splits: 0, notReached: 0 }) };
}

describe('hostile-feed bad-lines-journaled', () => {
  it('journalFacts reports the length and digest of the line at each position asked for', async () => {
    const lines = feed(100);
    const positions: LinePosition[] = [{ channel: 'L2', connection: 0, line: 60 }];
    const facts = await journalFacts({ journalDir: await journal(lines), symbols: ['AAPL'], positions });
    expect(facts.positions.get(positionKey(positions[0]!))).toEqual({
      seq: 61,
      bytes: lines[60]!.length,
      sha256: sha256(lines[60]!),
    });
  });

  it('a journal without the bad line fails the check, though it has a line at that place', async () => {
    const { located, check } = await checkOf(feed(100), [oversizedAt(60)]);
    expect(located[0]).toMatchObject({ found: false, seq: 61, journaledBytes: feed(100)[60]!.length });
    expect(check.pass).toBe(false);
    expect(check.evidence.counts).toMatchObject({ bad: 1, missing: 1 });
    expect(check.evidence.differences?.[0]?.actual).toContain('a different line');
  });

  it('a line of the same length but other bytes is not the bad line', async () => {
    const other = `8,AAPL,B,${'y'.repeat(1024 * 1024 - 9)}`;
    const lines = feed(100);
    lines.splice(60, 0, other);
    const { check } = await checkOf(lines, [oversizedAt(60)]);
    expect(check.pass).toBe(false);
  });

  it('a binary bad line journaled byte for byte at its place passes', async () => {
    const binary = String.fromCharCode(0, 0xff, 0xfe, 13, 200, 44, 7);
    const lines = feed(100);
    lines.splice(60, 0, HUGE);
    lines.splice(80, 0, binary);
    const { located, check } = await checkOf(lines, [
      oversizedAt(60),
      { ...oversizedAt(80, binary), n: 2, kind: 'binary' },
    ]);
    expect(located.map((b) => [b.found, b.seq])).toEqual([
      [true, 61],
      [true, 81],
    ]);
    expect(check.pass).toBe(true);
    expect(check.evidence.counts).toMatchObject({ bad: 2, missing: 0, oversized: 1 });
  });

  it('no line at the place at all is missing too', async () => {
    const { located, check } = await checkOf(feed(50), [oversizedAt(60)]);
    expect(located[0]).toMatchObject({ found: false, seq: null });
    expect(check.pass).toBe(false);
    expect(check.evidence.differences?.[0]?.actual).toBe('no such line in the journal');
  });
});
