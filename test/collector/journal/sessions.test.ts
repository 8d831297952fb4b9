import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { Journal } from '../../../collector/journal/journal.js';
import { listSessions } from '../../../collector/journal/sessions.js';
import { ManualClock } from '../../../common/clock.js';
import { tempDir } from './helpers.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => {
  ({ path: dir, cleanup } = await tempDir('sessions'));
});
afterEach(async () => {
  await cleanup();
});

test('lists sessions oldest first, ignoring directories that are not sessions', async () => {
  // Created in another order than they started: the list follows the start time.
  const second = await Journal.open({ dir, clock: new ManualClock(1_000_000), session: 'b-second' });
  await second.close();
  const third = await Journal.open({ dir, clock: new ManualClock(6_000_000) });
  await third.close();
  const first = await Journal.open({ dir, clock: new ManualClock(500_000), session: 'z-first' });
  await first.close();
  await mkdir(join(dir, 'not-a-session'));
  await writeFile(join(dir, 'stray.txt'), 'x');

  const sessions = await listSessions(dir);
  expect(sessions.map((s) => s.session)).toEqual(['z-first', 'b-second', third.session]);
  expect(sessions[1]).toEqual({ session: 'b-second', dir: join(dir, 'b-second'), startUs: 1_000_000 });
  // A new session gets a UUID.
  expect(third.session).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
});

test('a journal directory that does not exist has no sessions', async () => {
  expect(await listSessions(join(dir, 'nothing-here'))).toEqual([]);
});
