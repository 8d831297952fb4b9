import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { readCheckpoint, writeCheckpoint } from '../../../collector/journal/checkpoints.js';
import { tempDir } from './helpers.js';

let sessionDir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => {
  ({ path: sessionDir, cleanup } = await tempDir('checkpoint'));
  await mkdir(join(sessionDir, 'checkpoints'));
});
afterEach(async () => {
  await cleanup();
});

test('a sink without a checkpoint starts from the beginning (null)', async () => {
  expect(await readCheckpoint(sessionDir, 'kafka')).toBeNull();
});

test('write then read; a later write replaces it and leaves no temporary file', async () => {
  await writeCheckpoint(sessionDir, 'clickhouse', 41);
  await writeCheckpoint(sessionDir, 'clickhouse', 1234);
  await writeCheckpoint(sessionDir, 'jsonl', 7);
  expect(await readCheckpoint(sessionDir, 'clickhouse')).toBe(1234);
  expect(await readCheckpoint(sessionDir, 'jsonl')).toBe(7);
  expect((await readdir(join(sessionDir, 'checkpoints'))).sort()).toEqual(['clickhouse.json', 'jsonl.json']);
  expect(JSON.parse(await readFile(join(sessionDir, 'checkpoints', 'clickhouse.json'), 'utf8'))).toEqual({
    sink: 'clickhouse',
    seq: 1234,
  });
});

test('a damaged checkpoint is BAD_INPUT naming the file, with a hint', async () => {
  const path = join(sessionDir, 'checkpoints', 'redis.json');
  await writeFile(path, '{"sink":"redis","se');
  await expect(readCheckpoint(sessionDir, 'redis')).rejects.toMatchObject({
    code: 'BAD_INPUT',
    context: { file: path },
    hint: expect.stringMatching(/delete it/),
  });
  await writeFile(path, '{"sink":"redis","seq":-3}');
  await expect(readCheckpoint(sessionDir, 'redis')).rejects.toMatchObject({ code: 'BAD_INPUT' });
});

test('sink names cannot leave the checkpoints directory; seqs must be whole', async () => {
  await expect(writeCheckpoint(sessionDir, '../../etc', 1)).rejects.toMatchObject({ code: 'BAD_USAGE' });
  await expect(writeCheckpoint(sessionDir, 'jsonl', 1.5)).rejects.toMatchObject({ code: 'INTERNAL' });
});
