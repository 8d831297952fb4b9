/**
 * The simulator answers the recorded IQConnect sessions (shared/protocol/transcripts.jsonl) with
 * the same lines, in the same order, with the same terminators, given the same writes.
 *
 * How each L1 session is replayed: the data lines the recording client received (its F and P,
 * then its Q and R lines) become a tape; the F/P pair is replayed before the client connects, so
 * the simulator holds the symbol's state and answers the watch with it as IQConnect did, and the
 * later Q/R lines are replayed after the writes (a ManualClock moves time on). The writes are
 * sent in one piece right after connect, as the recorder did.
 *
 * Excluded from the comparison, because they are the real server's own:
 * - `T` lines the server pushed once a wall-clock second (their place in a recording depends on
 *   when the recording ran); a `T` asked for with the `T` command is compared exactly.
 * - The values of `S,IP` (we list this host with the recorded ports: same count, same ports) and
 *   of `S,CUST` fields 3 (server IP), 4 (its port), 5 (token), 6 (IQConnect version: ours is 6.2.0.25),
 *   8 (service list), 9 (code string), 10 (max symbols) and 12 (expiry date): compared in shape.
 * - Admin CLIENTSTATS: connection ids, start times and KB figures (compared in shape).
 */
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../common/clock.js';
import { easternToEpochUs } from '../../../common/eastern-time.js';
import { missingMessage, readJsonl, sharedFile } from '../../collector/protocol/shared-data.js';
import { startSim, stopAfterEach, type TapeBody, TestClient, waitFor, writeTape } from '../helpers.js';

interface Io {
  readonly line: string;
  readonly terminator: string;
}
interface Transcript {
  readonly source: string;
  readonly port: string;
  readonly writes: readonly Io[];
  readonly reads: readonly Io[];
}

const path = sharedFile('protocol/transcripts.jsonl');
const loaded = readJsonl(path);
if (loaded === null) throw new Error(missingMessage(path));
const transcripts = loaded.records as Transcript[];
const l1 = transcripts.filter((t) => t.port === 'L1');
const admin = transcripts.filter((t) => t.port === 'admin');

const { sims, clients } = stopAfterEach();

const name = (t: Transcript): string => t.source.split('/').pop() ?? t.source;

/** Reads we must reproduce: all but the pushed timestamps (a reply to `T` stays). */
function expectedReads(t: Transcript): Io[] {
  const askedForT = t.writes.some((w) => w.line === 'T');
  return t.reads.filter((r) => !r.line.startsWith('T,') || askedForT);
}

function sameShapeIp(ours: string, theirs: string): void {
  const a = ours.split(',');
  const b = theirs.split(',');
  expect(a.length).toBe(b.length);
  expect(a.slice(0, 2)).toEqual(b.slice(0, 2));
  a.slice(2).forEach((entry, i) => {
    expect(entry).toMatch(/^\d+\.\d+\.\d+\.\d+ \d+$/);
    expect(entry.split(' ')[1]).toBe(b[i + 2].split(' ')[1]);
  });
}

const OWN_CUST_FIELDS = new Set([3, 4, 5, 6, 8, 9, 10, 12]);

function sameShapeCust(ours: string, theirs: string): void {
  const a = ours.split(',');
  const b = theirs.split(',');
  expect(a.length).toBe(b.length);
  a.forEach((v, i) => {
    if (!OWN_CUST_FIELDS.has(i)) expect(v, `S,CUST field ${i}`).toBe(b[i]);
  });
  expect(a[3]).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
  expect(a[4]).toMatch(/^\d+$/);
  expect(a[5]).toMatch(/^[A-Za-z0-9]{16}$/);
  expect(a[6]).toMatch(/^6\.\d\.\d\.\d+$/);
  expect(a[8]).toMatch(/^ .* $/);
  expect(Number(a[10])).toBeGreaterThan(0);
  expect(a[12]).toMatch(/^\d{8}$/);
}

describe('recorded L1 sessions', () => {
  it.each(l1.map((t) => [name(t), t] as const))('%s', async (_name, t) => {
    const data = t.reads.map((r) => r.line).filter((l) => /^[FPQR],/.test(l));
    const firstF = data.find((l) => l.startsWith('F,'));
    const firstP = data.find((l) => l.startsWith('P,'));
    const later = data.filter((l) => /^[QR],/.test(l));
    const body: [number, 'L1', string][] = [];
    if (firstF) body.push([0, 'L1', firstF]);
    if (firstP) body.push([0, 'L1', firstP]);
    for (const [i, l] of later.entries()) body.push([1000 + i, 'L1', l]);
    const watched = t.writes.map((w) => /^[wtr]([A-Z.]+)$/.exec(w.line)?.[1]).filter((s) => s !== undefined);
    const symbols = [...new Set(['AAPL', ...watched])].filter((s) => s !== 'NOTFOUND');
    // The time the recording's `T` reply shows, when there is one; any time otherwise.
    const tReply = t.reads.find((r) => r.line.startsWith('T,'))?.line ?? 'T,20210630 03:14:05';
    const m = /^T,(\d{4})(\d\d)(\d\d) (.*)$/.exec(tReply)!;
    const startUs = easternToEpochUs(`${m[1]}-${m[2]}-${m[3]}`, m[4]);
    const tape = writeTape({ symbols: symbols.join(','), 'start-us': String(startUs) }, body as TapeBody);

    const clock = new ManualClock(1_000_000);
    const sim = await startSim({ tape, start: 'now', clock });
    sims.push(sim);
    const atZero = body.filter(([o]) => o === 0).length;
    await waitFor(() => sim.stats().replay.linesReplayed >= atZero, 'the F/P lines replayed');

    const client = await TestClient.connect(sim.ports.L1, 'L1');
    clients.push(client);
    client.socket.write(t.writes.map((w) => w.line + w.terminator).join(''), 'latin1');
    const expected = expectedReads(t);
    const askedForT = t.writes.some((w) => w.line === 'T');
    const received = (): string[] => client.lines().filter((l) => !l.startsWith('T,') || askedForT);
    const beforeLater = expected.length - later.length;
    await waitFor(() => received().length >= beforeLater, `${beforeLater} reads before the updates`);
    clock.advanceUs(10_000);
    await waitFor(() => received().length >= expected.length, `${expected.length} reads`);

    const ours = received();
    expect(ours.length).toBe(expected.length);
    // Every line ends in LF alone on this port, as every recorded read does.
    expect(expected.every((r) => r.terminator === '\n')).toBe(true);
    expect(client.text().includes('\r')).toBe(false);
    expected.forEach((r, i) => {
      if (r.line.startsWith('S,IP,')) sameShapeIp(ours[i], r.line);
      else if (r.line.startsWith('S,CUST,')) sameShapeCust(ours[i], r.line);
      else expect(ours[i], `read ${i}`).toBe(r.line);
    });
  });
});

describe('recorded admin session', () => {
  it.each(admin.map((t) => [name(t), t] as const))('%s', async (_name, t) => {
    const tape = writeTape({ symbols: 'AAPL' }, [
      [0, 'L1', 'Q,AAPL,1.0,1,09:30:00.000000,1,1,1,1,1,1,1,1,1,1,C,01,'],
    ]);
    const sim = await startSim({ tape, start: 'first-watch' });
    sims.push(sim);
    // The recording lists three admin connections, the second named "Launcher".
    const first = await TestClient.connect(sim.ports.ADMIN, 'ADMIN');
    const launcher = await TestClient.connect(sim.ports.ADMIN, 'ADMIN');
    launcher.send('S,SET CLIENT NAME,Launcher');
    const recorder = await TestClient.connect(sim.ports.ADMIN, 'ADMIN');
    clients.push(first, launcher, recorder);
    await waitFor(() => sim.stats().connections.length === 3, 'three admin connections');
    await waitFor(() => sim.stats().connections[1].client === 'Launcher', 'the launcher name');
    recorder.socket.write(t.writes.map((w) => w.line + w.terminator).join(''), 'latin1');
    await recorder.waitForLines(t.reads.length);
    const ours = recorder.lines();
    expect(ours.length).toBe(t.reads.length);
    expect(recorder.text().endsWith('\n') && !recorder.text().includes('\r')).toBe(true);
    t.reads.forEach((r, i) => {
      expect(r.terminator).toBe('\n');
      const a = ours[i].split(',');
      const b = r.line.split(',');
      expect(a.length).toBe(b.length);
      expect(a.slice(0, 3)).toEqual([b[0], b[1], b[2]]); // S, CLIENTSTATS, type 0 (admin)
      expect(a[4]).toBe(b[4]); // client name
      expect(a[5]).toMatch(/^\d{8} \d{6}$/);
      expect([a[6], a[7], a[11]]).toEqual([b[6], b[7], b[11]]); // no symbols on admin; trailing comma
      for (const k of [8, 9, 10]) expect(a[k]).toMatch(/^\d+\.\d\d$/);
    });
  });
});
