import { mkdtemp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Check } from '../../../harness/results/types.js';
import { runPaths } from '../../../harness/run-dir.js';
import { consistencyCheck } from '../../../harness/verify/checks.js';
import { tallySink } from '../../../harness/verify/sink-tally.js';
import { jsonlSource } from '../../../harness/verify/sinks/jsonl-source.js';
import type { SinkRecord, SinkRecordSource } from '../../../harness/verify/sinks/source.js';
import { findSessionDir, verifyRun } from '../../../harness/verify/verify-run.js';
import { cleanRun } from '../replay-helpers.js';

/**
 * Each verification fails for its own reason: a clean run passes, then a copy of it is damaged in
 * one place and exactly the check that guards that place fails, saying where.
 */
describe('verifications fail for the right reason', () => {
  let dir: string;
  let copy: (name: string) => Promise<string>;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'l2h-verify-'));
    ({ copy } = await cleanRun(dir, { seed: 'verify-test', lines: 6000 }));
  }, 180_000);

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const verify = async (run: string): Promise<Check[]> => [
    ...(await verifyRun({ runDir: run, depth: 10, sinks: [jsonlSource(runPaths(run).data)] })).checks,
  ];

  const failing = (checks: readonly Check[]) => checks.filter((c) => !c.pass).map((c) => c.id);

  it('simulator vs journal: a journaled line that differs from what was sent', async () => {
    const run = await copy('journal-changed');
    const session = await findSessionDir(runPaths(run).journal);
    const segment = join(session, (await readdir(session)).find((n) => n.startsWith('journal-'))!);
    const lines = (await readFile(segment, 'latin1')).split('\n');
    const at = lines.findIndex((l) => /\tL1\tQ,/.test(l));
    // Same length, one byte different: only the digest can tell.
    lines[at] = lines[at]!.replace(/,(\d)/, (_m, d: string) => `,${(Number(d) + 1) % 10}`);
    await writeFile(segment, lines.join('\n'), 'latin1');
    const checks = await verify(run);
    expect(failing(checks)).toContain('zero-loss.simulator-vs-journal');
    const feed = checks.find((c) => c.id === 'zero-loss.simulator-vs-journal')!;
    expect(feed.evidence.differences?.[0]?.where).toMatch(/^connection L1#1/);
  }, 60_000);

  it('L1 values: a quote whose bid changed in the sink', async () => {
    const run = await copy('quote-changed');
    const data = runPaths(run).data;
    const file = (await readdir(data)).find((n) => /_l1_/.test(n))!;
    const lines = (await readFile(join(data, file), 'utf8')).split('\n').filter(Boolean);
    const r = JSON.parse(lines[3]!) as { bid: number | null; seq: number };
    r.bid = (r.bid ?? 0) + 0.01;
    lines[3] = JSON.stringify(r);
    await writeFile(join(data, file), `${lines.join('\n')}\n`);
    const checks = await verify(run);
    expect(failing(checks)).toEqual(['records.l1']);
    const l1 = checks.find((c) => c.id === 'records.l1')!;
    expect(l1.evidence.counts?.['mismatched']).toBe(1);
    expect(l1.evidence.differences?.some((d) => d.where.endsWith('.bid'))).toBe(true);
  }, 60_000);

  it("journal vs JSONL: records in another symbol's file, or in a file of another day", async () => {
    const run = await copy('misfiled');
    const data = runPaths(run).data;
    const names = await readdir(data);
    const l2 = names.filter((n) => /_l2_\d{8}\.jsonl$/.test(n)).sort();
    // One symbol's L2 records appended to another symbol's file; one L1 file renamed to another day.
    const [from, into] = [l2[0]!, l2[1]!];
    const moved = (await readFile(join(data, from), 'utf8')).split('\n').filter(Boolean).length;
    await writeFile(join(data, into), await readFile(join(data, from), 'utf8'), { flag: 'a' });
    await rm(join(data, from));
    const l1 = names.find((n) => /_l1_\d{8}\.jsonl$/.test(n))!;
    const l1Lines = (await readFile(join(data, l1), 'utf8')).split('\n').filter(Boolean).length;
    await rename(join(data, l1), join(data, l1.replace(/_\d{8}\.jsonl$/, '_19990101.jsonl')));
    const checks = await verify(run);
    expect(failing(checks)).toEqual(['zero-loss.journal-vs-jsonl']);
    const loss = checks.find((c) => c.id === 'zero-loss.journal-vs-jsonl')!;
    expect(loss.evidence.counts).toMatchObject({ lost: 0, unexpected: 0, misfiled: moved + l1Lines });
    expect(loss.measured).toContain(`misfiled ${moved + l1Lines}`);
    expect(loss.evidence.differences?.[0]?.actual).toMatch(/in the file of /);
  }, 60_000);

  it('journal vs JSONL: a symbol file named without its escaping (`@ESU25` for `%40ESU25`)', async () => {
    const run = await copy('unescaped');
    const data = runPaths(run).data;
    const escaped = (await readdir(data)).find((n) => n.startsWith('%40'))!;
    const lines = (await readFile(join(data, escaped), 'utf8')).split('\n').filter(Boolean).length;
    await rename(join(data, escaped), join(data, escaped.replace('%40', '@')));
    const checks = await verify(run);
    expect(failing(checks)).toEqual(['zero-loss.journal-vs-jsonl']);
    expect(checks.find((c) => c.id === 'zero-loss.journal-vs-jsonl')!.evidence.counts?.['misfiled']).toBe(
      lines,
    );
  }, 60_000);

  it('sink consistency: two sinks that hold different records for one symbol', async () => {
    const run = await copy('consistency');
    const index = (await verifyRun({ runDir: run, depth: 10, sinks: [] })).expected;
    const jsonl = jsonlSource(runPaths(run).data);
    // A second sink that holds the same records except one L2 record of one symbol, changed.
    let changed = false;
    const other: SinkRecordSource = {
      name: 'other',
      dedup: null,
      async *batches() {
        for await (const batch of jsonl.batches()) {
          yield batch.map((r): SinkRecord => {
            if (changed || r.kind !== 'l2' || r.record === null) return r;
            changed = true;
            return { ...r, record: { ...r.record, total_bid_size: Number(r.record['total_bid_size']) + 1 } };
          });
        }
      },
    };
    const check = consistencyCheck([await tallySink(index, jsonl), await tallySink(index, other)]);
    expect(check.pass).toBe(false);
    expect(check.evidence.counts?.['differing']).toBe(1);
    expect(check.evidence.differences?.[0]?.where).toMatch(/^l2\//);
  }, 60_000);
});
