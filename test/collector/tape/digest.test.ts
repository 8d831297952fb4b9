import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { tapeSha256 } from '../../../collector/tape/digest.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'l2h-digest-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

test('the SHA-256 of the file bytes (FIPS 180-2 vector "abc")', async () => {
  const path = join(dir, 'abc');
  await writeFile(path, 'abc');
  expect(await tapeSha256(path)).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
});

test('a file of many read chunks hashes like the whole buffer', async () => {
  const path = join(dir, 'big');
  const data = Buffer.alloc(5 * 1024 * 1024 + 17);
  for (let i = 0; i < data.length; i++) data[i] = (i * 31 + (i >> 11)) & 0xff;
  await writeFile(path, data);
  expect(await tapeSha256(path)).toBe(createHash('sha256').update(data).digest('hex'));
});

test('a missing tape is BAD_INPUT naming it', async () => {
  const path = join(dir, 'missing.tape');
  await expect(tapeSha256(path)).rejects.toMatchObject({ code: 'BAD_INPUT', context: { file: path } });
});
