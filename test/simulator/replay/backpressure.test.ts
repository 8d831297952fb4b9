/**
 * Backpressure over real sockets: a client that stops reading makes the replay pause (for
 * everyone: one cursor) once its queue is over the bound; its queue stays bounded; when it reads
 * again the replay resumes and it gets every line, in order; the stall is counted.
 */
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { SimulatorHandle } from '../../../simulator/index.js';
import { cleanupTempDirs, startSim, TestClient, tempDir, waitFor } from '../helpers.js';

const sims: SimulatorHandle[] = [];
const clients: TestClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  for (const s of sims.splice(0)) await s.stop();
  cleanupTempDirs();
});

/** ~13 MB of L2 rows: more than loopback's kernel buffers (~4 MB) hold for a paused reader. */
function bigTape(lines: number): { path: string; rows: string[] } {
  const rows: string[] = [];
  let text = '#l2tape 1\n#symbols AAPL\n#l2 mbp\n#start-us 1718976600000000\n';
  for (let i = 0; i < lines; i++) {
    const row = `8,AAPL,${i % 2 ? 'A' : 'B'},${100 + (i % 500) / 100},${1 + (i % 977)},1,2,09:30:00.${String(i % 1e6).padStart(6, '0')},2024-06-21,`;
    rows.push(row);
    text += `${i}\t${'L2'}\t${row}\n`;
  }
  const path = join(tempDir(), 'big.tape');
  writeFileSync(path, text, 'latin1');
  return { path, rows };
}

describe('backpressure', () => {
  it('pauses the replay for a client that stops reading, keeps its queue bounded and drops nothing', async () => {
    const { path, rows } = bigTape(220_000);
    const maxQueueKb = 64;
    const sim = await startSim({ tape: path, speed: 'max', start: 'all-watched', maxQueueKb });
    sims.push(sim);
    const slow = await TestClient.connect(sim.ports.L2, 'L2');
    const fast = await TestClient.connect(sim.ports.L2, 'L2');
    const l1 = await TestClient.connect(sim.ports.L1, 'L1');
    clients.push(slow, fast, l1);
    for (const c of [slow, fast]) {
      c.send(['S,TIMESTAMPSOFF', 'WPL,AAPL', 'S,REQUEST WATCHES']);
      await c.waitForLine((l) => l === 'S,WATCHES,AAPL', 'the watch');
    }
    slow.socket.pause();
    l1.send('wAAPL'); // every symbol watched on both ports: the replay starts

    await waitFor(() => sim.stats().connections[0].stalls >= 1, 'the slow client to stall the replay');
    // While it stalls, the replay stands still for everyone.
    const held = sim.stats().replay.linesReplayed;
    expect(held).toBeLessThan(rows.length);
    await waitFor(
      () => fast.lines().length >= sim.stats().connections[1].lines,
      'the fast client to catch up',
    );
    expect(sim.stats().replay.linesReplayed).toBe(held);
    expect(sim.stats().replay.tapeEnded).toBe(false);

    slow.socket.resume();
    await sim.tapeEnd;
    const stats = sim.stats();
    const [s, f] = stats.connections;
    await waitFor(
      () => slow.byteCount === s.bytes && fast.byteCount === f.bytes,
      'every byte delivered',
      30_000,
    );

    // Nothing dropped or reordered: both got the banner, the replies and every row in order.
    const expected = ['S,SERVER CONNECTED', 'S,WATCHES,AAPL', ...rows];
    for (const c of [slow, fast]) {
      const got = c.lines();
      expect(got.length).toBe(expected.length);
      expect(got[0]).toBe(expected[0]);
      expect(got.slice(2)).toEqual(rows);
    }
    expect(slow.sha256()).toBe(s.sha256Raw);
    expect(fast.sha256()).toBe(f.sha256Raw);
    const linesDigest = createHash('sha256')
      .update(expected.map((l) => `${l}\n`).join(''), 'latin1')
      .digest('hex');
    expect(s.sha256Lines).toBe(linesDigest);

    // Bounded: the queue never grew past the bound by more than one write's worth of lines.
    expect(s.stalls).toBeGreaterThanOrEqual(1);
    expect(s.stalledMs).toBeGreaterThan(0);
    expect(s.maxQueuedBytes).toBeGreaterThan(maxQueueKb * 1024);
    expect(s.maxQueuedBytes).toBeLessThanOrEqual(maxQueueKb * 1024 + 1024);
  }, 60_000);
});
