import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Check } from '../results/types.js';
import { runPaths } from '../run-dir.js';
import { readJournal } from '../verify/journal-reader.js';
import { findSessionDir } from '../verify/verify-run.js';

/**
 * Defects planted on purpose into a copy of a clean run. Each names the check that must catch it
 * and how that check must fail; the self-test passes only if every plant is caught for the right
 * reason (and a clean run passes). The harness is worth what it catches.
 */
export interface Plant {
  readonly name: string;
  readonly description: string;
  /** The check that must fail. */
  readonly checkId: string;
  /** Plant the defect in the run directory; returns what was changed, for the evidence. */
  plant(runDir: string): Promise<string>;
  /** Did the check fail for this defect's reason (not just fail)? */
  caughtFor(check: Check): boolean;
}

interface JsonlFile {
  readonly path: string;
  readonly name: string;
  readonly lines: string[];
}

async function l2Files(runDir: string): Promise<JsonlFile[]> {
  const dir = runPaths(runDir).data;
  const names = (await readdir(dir)).filter((n) => /_l2_\d{8}\.jsonl$/.test(n)).sort();
  const out: JsonlFile[] = [];
  for (const name of names) {
    const text = await readFile(join(dir, name), 'utf8');
    out.push({ path: join(dir, name), name, lines: text.split('\n').filter(Boolean) });
  }
  // The largest file first: plenty of records to pick from.
  return out.sort((a, b) => b.lines.length - a.lines.length);
}

async function save(f: JsonlFile): Promise<void> {
  await writeFile(f.path, `${f.lines.join('\n')}\n`);
}

interface Level {
  price: number;
  size: number;
  level: number;
}

interface L2 {
  seq: number;
  symbol: string;
  bids: Level[];
  asks: Level[];
  [k: string]: unknown;
}

function counts(check: Check, name: string): number {
  return check.evidence.counts?.[name] ?? 0;
}

/** Decimals in a number's shortest text. */
function decimals(v: number): number {
  const s = String(v);
  const dot = s.indexOf('.');
  return dot < 0 ? 0 : s.length - dot - 1;
}

/** Levels as `price@side`, for finding one the resync's snapshot no longer has. */
function levelKeys(r: L2): Set<string> {
  return new Set([...r.bids.map((l) => `${l.price}@B`), ...r.asks.map((l) => `${l.price}@A`)]);
}

export const PLANTS: readonly Plant[] = [
  {
    name: 'dropped-record',
    description: 'one L2 record removed from the JSONL sink',
    checkId: 'zero-loss.journal-vs-jsonl',
    async plant(runDir) {
      const [f] = await l2Files(runDir);
      const i = Math.floor(f!.lines.length / 2);
      const gone = JSON.parse(f!.lines[i]!) as L2;
      f!.lines.splice(i, 1);
      await save(f!);
      return `removed seq ${gone.seq} from ${f!.name}`;
    },
    caughtFor: (c) => !c.pass && counts(c, 'lost') === 1,
  },
  {
    name: 'level-off-by-one',
    description: 'the size of one book level changed by one',
    checkId: 'books.reference',
    async plant(runDir) {
      const [f] = await l2Files(runDir);
      for (let i = Math.floor(f!.lines.length / 3); i < f!.lines.length; i++) {
        const r = JSON.parse(f!.lines[i]!) as L2;
        if (r.bids.length < 2) continue;
        r.bids[1]!.size += 1;
        r['total_bid_size'] = (r['total_bid_size'] as number) + 1;
        f!.lines[i] = JSON.stringify(r);
        await save(f!);
        return `seq ${r.seq} ${r.symbol}: bid level 2 size +1 in ${f!.name}`;
      }
      throw new Error('no L2 record with two bid levels to plant into');
    },
    caughtFor: (c) => !c.pass && counts(c, 'mismatched') === 1,
  },
  {
    name: 'price-rounded',
    description: 'one price rounded to one decimal fewer',
    checkId: 'books.reference',
    async plant(runDir) {
      const [f] = await l2Files(runDir);
      for (let i = Math.floor(f!.lines.length / 4); i < f!.lines.length; i++) {
        const r = JSON.parse(f!.lines[i]!) as L2;
        const lv = r.asks[0];
        if (!lv || decimals(lv.price) < 2) continue;
        const d = decimals(lv.price) - 1;
        const before = lv.price;
        lv.price = Number(lv.price.toFixed(d));
        f!.lines[i] = JSON.stringify(r);
        await save(f!);
        return `seq ${r.seq} ${r.symbol}: best ask ${before} → ${lv.price} in ${f!.name}`;
      }
      throw new Error('no L2 record with a two-decimal best ask to plant into');
    },
    caughtFor: (c) => !c.pass && counts(c, 'mismatched') === 1,
  },
  {
    name: 'duplicated-batch',
    description: 'a batch of 50 records written twice to the JSONL sink',
    checkId: 'zero-loss.journal-vs-jsonl',
    async plant(runDir) {
      const [f] = await l2Files(runDir);
      const at = Math.floor(f!.lines.length / 2);
      const batch = f!.lines.slice(at, at + 50);
      f!.lines.splice(at + 50, 0, ...batch);
      await save(f!);
      return `records ${at + 1}–${at + 50} of ${f!.name} written again after themselves`;
    },
    caughtFor: (c) => !c.pass && counts(c, 'duplicated') === 50 && counts(c, 'lost') === 0,
  },
  {
    name: 'stale-level-after-delete',
    description: 'a price level left in the book after the feed deleted it',
    checkId: 'books.reference',
    async plant(runDir) {
      // Find a by-price delete (`9`) in the journal and the record made at that seq.
      const session = await findSessionDir(runPaths(runDir).journal);
      const deletes = new Map<number, { side: string; price: number }>();
      for await (const batch of readJournal(session)) {
        for (const item of batch) {
          if (item.kind !== 'line' || item.channel !== 'L2' || !item.line.startsWith('9,')) continue;
          const f = item.line.split(',');
          deletes.set(item.seq, { side: f[2]!, price: Number(f[3]) });
        }
        if (deletes.size > 200) break;
      }
      for (const f of await l2Files(runDir)) {
        for (let i = 0; i < f.lines.length; i++) {
          const r = JSON.parse(f.lines[i]!) as L2;
          const d = deletes.get(r.seq);
          if (!d) continue;
          const side = d.side === 'B' ? r.bids : r.asks;
          // Only where the deleted level would still be inside the record's depth.
          const better = (p: number) => (d.side === 'B' ? p > d.price : p < d.price);
          const pos = side.findIndex((l) => !better(l.price));
          if (pos < 0) continue;
          side.splice(pos, 0, { price: d.price, size: 1, level: pos + 1 });
          side.forEach((l, k) => {
            l.level = k + 1;
          });
          f.lines[i] = JSON.stringify(r);
          await save(f);
          return `seq ${r.seq} ${r.symbol}: deleted ${d.side === 'B' ? 'bid' : 'ask'} level ${d.price} put back in ${f.name}`;
        }
      }
      throw new Error('no by-price delete inside the book depth to plant into');
    },
    caughtFor: (c) => !c.pass && counts(c, 'mismatched') === 1 && c.evidence.bookDiff !== undefined,
  },
  {
    name: 'missed-resync',
    description: 'a book not cleared at a resync: a level from before the disconnect kept after it',
    checkId: 'books.reference',
    async plant(runDir) {
      // The clean run has one L2 disconnect (the self-test plants it with the simulator's faults):
      // the second L2 connect event is the resync.
      const session = await findSessionDir(runPaths(runDir).journal);
      let resyncSeq = 0;
      let l2Connects = 0;
      for await (const batch of readJournal(session)) {
        for (const item of batch) {
          if (
            item.kind === 'event' &&
            item.event === 'connect' &&
            item.channel === 'L2' &&
            ++l2Connects === 2
          ) {
            resyncSeq = item.seq;
          }
        }
      }
      if (resyncSeq === 0) throw new Error('the clean run has no L2 reconnect to plant a missed resync into');
      for (const f of await l2Files(runDir)) {
        const records = f.lines.map((l) => JSON.parse(l) as L2);
        const before = records.filter((r) => r.seq < resyncSeq).at(-1);
        const afterIndex = records.findIndex((r) => r.seq >= resyncSeq);
        if (!before || afterIndex < 0) continue;
        const after = records[afterIndex]!;
        const now = levelKeys(after);
        // A bid from before the disconnect that the snapshot no longer holds, still inside the depth.
        const stale = before.bids.find(
          (l) => !now.has(`${l.price}@B`) && (after.bids.length < 10 || l.price > after.bids.at(-1)!.price),
        );
        if (!stale) continue;
        const pos = after.bids.findIndex((l) => l.price < stale.price);
        after.bids.splice(pos < 0 ? after.bids.length : pos, 0, {
          price: stale.price,
          size: stale.size,
          level: 0,
        });
        after.bids = after.bids.slice(0, 10);
        after.bids.forEach((l, k) => {
          l.level = k + 1;
        });
        f.lines[afterIndex] = JSON.stringify(after);
        await save(f);
        return `seq ${after.seq} ${after.symbol}: bid ${stale.price} from before the resync at seq ${resyncSeq} kept in ${f.name}`;
      }
      throw new Error('no symbol with a level the resync removed, to plant into');
    },
    caughtFor: (c) => !c.pass && counts(c, 'mismatched') === 1 && c.evidence.bookDiff !== undefined,
  },
];
