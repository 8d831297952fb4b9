import { spawnSync } from 'node:child_process';
import { appendFile, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { nodeJournalFs } from '../../../collector/journal/files.js';
import { Deriver } from '../../../collector/records/deriver.js';
import { Envelope } from '../../../collector/records/json.js';
import type { RecordEnvelope, RecordKind } from '../../../collector/records/types.js';
import { DATA_DIR_LOCK } from '../../../collector/sinks/jsonl/dir-lock.js';
import { JsonlSink, lineRuns } from '../../../collector/sinks/jsonl/jsonl-sink.js';
import { L2hError } from '../../../common/errors.js';
import { generateInMemory } from '../../../fixtures/generate/generate.js';

let dir = '';
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'l2h-jsonl-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function rec(kind: RecordKind, symbol: string, seq: number, day = '20250725', session = 'S1'): Envelope {
  const ts = `${day.slice(0, 4)}-${day.slice(4, 6)}-${day.slice(6)}T09:30:00.000000`;
  return new Envelope(
    kind,
    symbol,
    seq,
    day,
    `{"symbol":${JSON.stringify(symbol)},"timestamp":"${ts}","session":"${session}","seq":${seq}}`,
  );
}

async function lines(name: string): Promise<string[]> {
  const text = await readFile(join(dir, name), 'utf8');
  expect(text.endsWith('\n')).toBe(true);
  return text.slice(0, -1).split('\n');
}

const seqs = async (name: string) => (await lines(name)).map((l) => (JSON.parse(l) as { seq: number }).seq);

async function withSink<T>(session: string, fn: (sink: JsonlSink) => Promise<T>): Promise<T> {
  const sink = new JsonlSink({ dataDir: dir, session });
  await sink.open();
  try {
    return await fn(sink);
  } finally {
    await sink.close();
  }
}

describe('JsonlSink', () => {
  it('writes each record as one line, in a file per symbol, kind and day', async () => {
    const batch = [
      rec('l2', 'AAPL', 1),
      rec('l1', 'AAPL', 2),
      rec('ticks', 'AAPL', 2),
      rec('l2', '@ES#', 3),
      rec('gaps', 'AAPL', 4),
    ];
    await withSink('S1', (s) => s.write(batch));
    expect((await readdir(dir)).filter((n) => n.endsWith('.jsonl')).sort()).toEqual([
      '%40ES%23_l2_20250725.jsonl',
      'AAPL_gaps_20250725.jsonl',
      'AAPL_l1_20250725.jsonl',
      'AAPL_l2_20250725.jsonl',
      'AAPL_ticks_20250725.jsonl',
    ]);
    expect(await lines('AAPL_l2_20250725.jsonl')).toEqual([batch[0].json]);
    expect(await lines('%40ES%23_l2_20250725.jsonl')).toEqual([batch[3].json]);
  });

  it('rotates to a new file when the day changes and closes the old one', async () => {
    await withSink('S1', async (s) => {
      await s.write([rec('l2', 'AAPL', 1, '20250725'), rec('l2', 'AAPL', 2, '20250725')]);
      expect(s.stats.openFiles).toBe(1);
      await s.write([rec('l2', 'AAPL', 3, '20250728')]);
      expect(s.stats.openFiles).toBe(1);
    });
    expect(await seqs('AAPL_l2_20250725.jsonl')).toEqual([1, 2]);
    expect(await seqs('AAPL_l2_20250728.jsonl')).toEqual([3]);
  });

  it('skips what a file already holds from this session, across restarts, but not another session', async () => {
    await withSink('S1', (s) => s.write([rec('l2', 'AAPL', 1), rec('l2', 'AAPL', 2), rec('l2', 'AAPL', 3)]));
    // A restart redelivers from an older checkpoint: 2 and 3 are in the file already.
    await withSink('S1', async (s) => {
      await s.write([rec('l2', 'AAPL', 2), rec('l2', 'AAPL', 3), rec('l2', 'AAPL', 4)]);
      expect(s.stats.skippedDuplicates).toBe(2);
    });
    // A new session counts from seq 1 again: nothing of it is in the file.
    await withSink('S2', (s) => s.write([rec('l2', 'AAPL', 1, '20250725', 'S2')]));
    // And S1 resumed after S2 wrote finds its own last record behind S2's.
    await withSink('S1', (s) => s.write([rec('l2', 'AAPL', 4), rec('l2', 'AAPL', 5)]));
    const all = (await lines('AAPL_l2_20250725.jsonl')).map(
      (l) => JSON.parse(l) as { session: string; seq: number },
    );
    expect(all.map((r) => `${r.session}:${r.seq}`)).toEqual(['S1:1', 'S1:2', 'S1:3', 'S1:4', 'S2:1', 'S1:5']);
  });

  it('cuts a torn last line on open, and the record comes again', async () => {
    await withSink('S1', (s) => s.write([rec('l2', 'AAPL', 1), rec('l2', 'AAPL', 2)]));
    const torn = rec('l2', 'AAPL', 3).json.slice(0, 20);
    await appendFile(join(dir, 'AAPL_l2_20250725.jsonl'), torn);
    await withSink('S1', async (s) => {
      expect(s.stats.tornLinesCut).toBe(1);
      await s.write([rec('l2', 'AAPL', 2), rec('l2', 'AAPL', 3)]);
    });
    expect(await seqs('AAPL_l2_20250725.jsonl')).toEqual([1, 2, 3]);
  });

  it('finds the last seq however far back it is (records longer than a read chunk)', async () => {
    const big = (seq: number) => {
      const r = rec('l2', 'AAPL', seq);
      return new Envelope(
        'l2',
        'AAPL',
        seq,
        '20250725',
        `{"pad":"${'x'.repeat(100_000)}",${r.json.slice(1)}`,
      );
    };
    await withSink('S1', (s) => s.write([big(1), big(2)]));
    await withSink('S2', (s) => s.write([rec('l2', 'AAPL', 1, '20250725', 'S2')]));
    await withSink('S1', async (s) => {
      await s.write([big(2), big(3)]);
      expect(s.stats.skippedDuplicates).toBe(1);
    });
    expect((await seqs('AAPL_l2_20250725.jsonl')).length).toBe(4);
  });

  it('keeps one writer per data directory, and takes over the lock of a dead process', async () => {
    const first = new JsonlSink({ dataDir: dir, session: 'S1' });
    await first.open();
    await expect(new JsonlSink({ dataDir: dir, session: 'S1' }).open()).rejects.toThrow(/already in use/);
    await first.close();
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {
      encoding: 'utf8',
    });
    await writeFile(join(dir, DATA_DIR_LOCK), `${dead.stdout}\n`);
    await withSink('S1', (s) => s.write([rec('l1', 'X', 1)]));
  });

  it('refuses an unusable data directory with a usage error naming it', async () => {
    const file = join(dir, 'not-a-dir');
    await writeFile(file, 'x');
    const sink = new JsonlSink({ dataDir: join(file, 'data'), session: 'S1' });
    const err = await sink.open().then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(L2hError);
    expect((err as L2hError).code).toBe('BAD_USAGE');
    expect((err as L2hError).context.dir).toBe(join(file, 'data'));
  });

  it('fails a write with a retriable IO error when the file cannot be written', async () => {
    const sink = new JsonlSink({ dataDir: dir, session: 'S1' });
    await sink.open();
    await sink.write([rec('l2', 'AAPL', 1)]);
    // A directory where the next day's file should go makes its open fail.
    await rm(join(dir, 'AAPL_l2_20250726.jsonl'), { force: true });
    await import('node:fs/promises').then((fs) => fs.mkdir(join(dir, 'AAPL_l2_20250726.jsonl')));
    const err = await sink.write([rec('l2', 'AAPL', 2, '20250726')]).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(L2hError);
    expect((err as L2hError).retriable).toBe(true);
    expect(String((err as L2hError).context.file)).toContain('AAPL_l2_20250726.jsonl');
    await sink.close();
  });
  it('fsyncs the directory of a file a failed write created, when the write is retried', async () => {
    // A retry of the batch creates nothing (the new file is there), yet the batch it acknowledges
    // holds the file's first records: without the fsync a power cut could lose the file's name.
    const syncDir = vi.spyOn(nodeJournalFs, 'syncDir');
    try {
      const sink = new JsonlSink({ dataDir: dir, session: 'S1' });
      await sink.open();
      await sink.write([rec('l2', 'MSFT', 1)]);
      // The batch makes AAPL's file; the directory fsync after it fails once.
      syncDir.mockClear();
      syncDir.mockRejectedValueOnce(Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO' }));
      const batch = [rec('l2', 'AAPL', 2), rec('l2', 'MSFT', 3)];
      await expect(sink.write(batch)).rejects.toMatchObject({ retriable: true });
      expect(await readdir(dir)).toContain('AAPL_l2_20250725.jsonl');
      syncDir.mockClear();
      await sink.write(batch);
      expect(syncDir).toHaveBeenCalledWith(dir);
      // Once synced, a later batch creating nothing does not sync the directory again.
      syncDir.mockClear();
      await sink.write([rec('l2', 'AAPL', 4)]);
      expect(syncDir).not.toHaveBeenCalled();
      expect(await seqs('AAPL_l2_20250725.jsonl')).toEqual([2, 4]);
      await sink.close();
    } finally {
      syncDir.mockRestore();
    }
  });
});

describe('JsonlSink encoding', () => {
  it('writes non-ASCII record text as UTF-8, wherever it falls in a batch', async () => {
    const sym = (i: number) => (i % 3 === 0 ? 'SOCIÉTÉ' : i % 3 === 1 ? '€URO' : 'PLAIN');
    const batch = Array.from({ length: 30 }, (_, i) => rec('l1', 'X', i + 1, '20250725', 'S1')).map(
      (r, i) =>
        new Envelope(
          'l1',
          'X',
          r.seq,
          r.day,
          r.json.replace('"X"', JSON.stringify(`${sym(i)}${'é'.repeat(i % 4)}`)),
        ),
    );
    await withSink('S1', (s) => s.write(batch));
    expect(await lines('X_l1_20250725.jsonl')).toEqual(batch.map((r) => r.json));
  });

  it("writes the deriver's byte lines as they lie, runs of them per writev, mixed with string envelopes", async () => {
    const g = generateInMemory({ seed: 3, lines: 3000, symbols: 'AAPL,MSFT=mbo,IBM=mm' });
    const d = new Deriver({
      session: 'S1',
      symbols: ['AAPL', 'MSFT', 'IBM'],
      families: { AAPL: 'mbp', MSFT: 'mbo', IBM: 'mm' },
    });
    const records: RecordEnvelope[] = [];
    for (const [i, l] of g.lines.entries())
      d.line(l.channel, l.line, i + 1, 1_753_450_000_000_000 + i, records);
    d.end(records);
    expect(records.length).toBeGreaterThan(1000);
    expect(records.every((r) => r.lineBytes !== null)).toBe(true);
    // Every tenth record as a string envelope, as a test or a tool would make one.
    const mixed = records.map((r, i) =>
      i % 10 === 0 ? new Envelope(r.kind, r.symbol, r.seq, r.day, r.json) : r,
    );
    const aapl = mixed.filter((r) => r.symbol === 'AAPL' && r.kind === 'l2');
    // Lines of one stream lie side by side: far fewer parts than records.
    expect(lineRuns(aapl).length).toBeLessThan(aapl.length / 3);
    await withSink('S1', async (s) => {
      for (let i = 0; i < mixed.length; i += 700) await s.write(mixed.slice(i, i + 700));
    });
    const byFile = new Map<string, string[]>();
    for (const r of records) {
      const name = `${r.symbol}_${r.kind}_${r.day}.jsonl`;
      byFile.set(name, [...(byFile.get(name) ?? []), r.json]);
    }
    for (const [name, json] of byFile) expect(await lines(name)).toEqual(json);
  });
});
