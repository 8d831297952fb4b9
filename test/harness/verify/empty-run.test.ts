/**
 * A run in which nothing was recorded (the tape's header names symbols its body never carries,
 * so the feed delivered only system lines) is not a pass: the feed check compared the few lines
 * there were, but the sink and content checks had nothing to compare, and the watched symbols
 * got no record at all.
 */
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Channel } from '../../../collector/protocol/channel.js';
import { runPaths } from '../../../harness/run-dir.js';
import { jsonlSource } from '../../../harness/verify/sinks/jsonl-source.js';
import { verifyRun } from '../../../harness/verify/verify-run.js';

let root = '';
afterAll(async () => {
  if (root) await rm(root, { recursive: true, force: true });
});

function sent(id: number, channel: Channel, lines: readonly string[]) {
  const hash = createHash('sha256');
  for (const l of lines) hash.update(`${l}\n`, 'latin1');
  return {
    id,
    channel,
    lines: lines.length,
    sha256Lines: hash.digest('hex'),
    checkpointEvery: 100_000,
    checkpoints: [],
  };
}

describe('a run that recorded nothing', () => {
  it('fails: 0 records expected, and each watched symbol named as having no record', async () => {
    root = await mkdtemp(join(tmpdir(), 'l2h-empty-run-'));
    const paths = runPaths(root);
    const session = join(paths.journal, 'sess-1');
    await mkdir(session, { recursive: true });
    await mkdir(paths.data, { recursive: true });
    await mkdir(paths.simulatorDir, { recursive: true });
    const conns: [Channel, string[]][] = [
      ['L1', ['S,KEY,12345', 'T,20250725 09:30:00']],
      ['L2', ['S,SERVER CONNECTED']],
    ];
    const body = ['#l2tape 1', '#session sess-1', '#symbols AAPL,MSFT', '#seq-base 0', '#start-us 0'];
    const events: string[] = [];
    let seq = 0;
    for (const [channel, lines] of conns) {
      events.push(JSON.stringify({ seq: seq + 1, event: 'connect', channel, us: 0 }));
      for (const l of lines) {
        seq++;
        body.push(`0\t${channel}\t${l}`);
      }
    }
    await writeFile(join(session, 'journal-000001.tape'), `${body.join('\n')}\n`, 'latin1');
    await writeFile(join(session, 'events.jsonl'), `${events.join('\n')}\n`);
    await writeFile(
      paths.simulatorStats,
      JSON.stringify({ connections: conns.map(([ch, lines], i) => sent(i + 1, ch, lines)) }),
    );
    const { checks } = await verifyRun({ runDir: root, depth: 10, sinks: [jsonlSource(paths.data)] });
    const byId = new Map(checks.map((c) => [c.id, c]));
    // The three lines sent were compared: that check is right to pass.
    expect(byId.get('zero-loss.simulator-vs-journal')?.pass).toBe(true);
    expect(byId.get('zero-loss.journal-vs-jsonl')).toMatchObject({ pass: false });
    expect(byId.get('zero-loss.journal-vs-jsonl')?.measured).toMatch(
      /nothing to compare: 0 records expected/,
    );
    expect(byId.get('integrity.symbols-recorded')).toMatchObject({ pass: false });
    expect(byId.get('integrity.symbols-recorded')?.measured).toMatch(/2 of 2 watched symbols .*: AAPL, MSFT/);
    expect(checks.every((c) => c.pass)).toBe(false);
  });
});
