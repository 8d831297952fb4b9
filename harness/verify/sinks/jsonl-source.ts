import { createReadStream } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { RecordKind } from '../../../collector/records/types.js';
import type { SinkRecord, SinkRecordSource } from './source.js';

const FILE = /^(.+)_(l2|l1|ticks|gaps)_(\d{8})\.jsonl$/;

/** The JSONL sink's files in a data directory, read line by line (never whole). */
export function jsonlSource(dataDir: string): SinkRecordSource {
  return {
    name: 'jsonl',
    dedup: null,
    async *batches() {
      const names = (await readdir(dataDir).catch(() => [] as string[])).filter((n) => FILE.test(n)).sort();
      for (const name of names) {
        const kind = FILE.exec(name)![2] as RecordKind;
        let lineNo = 0;
        let rest = '';
        let batch: SinkRecord[] = [];
        const emit = (text: string) => {
          lineNo++;
          if (text === '') return;
          let record: Record<string, unknown> | null = null;
          try {
            const v: unknown = JSON.parse(text);
            if (v !== null && typeof v === 'object' && !Array.isArray(v))
              record = v as Record<string, unknown>;
          } catch {
            record = null;
          }
          batch.push(
            record
              ? { kind, record, where: `${name}:${lineNo}` }
              : { kind, record, where: `${name}:${lineNo}`, raw: text.slice(0, 300) },
          );
        };
        for await (const chunk of createReadStream(join(dataDir, name), {
          encoding: 'utf8',
          highWaterMark: 1 << 20,
        })) {
          const text = rest + (chunk as string);
          let start = 0;
          for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
            emit(text.slice(start, nl));
            start = nl + 1;
          }
          rest = text.slice(start);
          if (batch.length >= 2048) {
            yield batch;
            batch = [];
          }
        }
        // A last line without its newline is a torn write: still a record the sink holds.
        if (rest !== '') emit(rest);
        if (batch.length > 0) yield batch;
      }
    },
  };
}
