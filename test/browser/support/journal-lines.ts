/**
 * The collector's journal read as plain text (CONTRACTS §1 tape format plus `#seq-base` and
 * `#start-us` per segment): the seq of each line and when it arrived. A test reads it to know,
 * without the monitor's help, which seq a line got and how many lines came before an instant.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface JournalLine {
  readonly seq: number;
  readonly channel: string;
  readonly line: string;
  /** Epoch ms when the collector read it (`#start-us` + offset). */
  readonly atMs: number;
}

export async function readJournal(sessionDir: string): Promise<JournalLine[]> {
  const segments = (await readdir(sessionDir)).filter((f) => /^journal-\d+\.tape$/.test(f)).sort();
  const out: JournalLine[] = [];
  for (const name of segments) {
    const text = await readFile(join(sessionDir, name), 'latin1');
    let seqBase: number | null = null;
    let startUs: number | null = null;
    let n = 0;
    for (const raw of text.split('\n')) {
      if (raw === '') continue;
      if (raw.startsWith('#')) {
        const [key, value] = raw.slice(1).split(' ');
        if (key === 'seq-base') seqBase = Number(value);
        if (key === 'start-us') startUs = Number(value);
        continue;
      }
      if (seqBase === null || startUs === null) throw new Error(`${name}: body before #seq-base/#start-us`);
      const first = raw.indexOf('\t');
      const second = raw.indexOf('\t', first + 1);
      n++;
      out.push({
        seq: seqBase + n,
        channel: raw.slice(first + 1, second),
        line: raw.slice(second + 1),
        atMs: (startUs + Number(raw.slice(0, first))) / 1000,
      });
    }
  }
  return out;
}
