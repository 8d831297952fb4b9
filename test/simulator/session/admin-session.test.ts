import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { AdminDecoder, isDecodeError } from '../../../collector/protocol/index.js';
import { ManualClock } from '../../../common/clock.js';
import { easternToEpochUs } from '../../../common/eastern-time.js';
import { startSim, stopAfterEach, type TapeBody, TestClient, waitFor, writeTape } from '../helpers.js';

const START = easternToEpochUs('2021-07-05', '07:26:10');
const BODY: TapeBody = [
  [0, 'L2', '8,AAPL,B,100.0000,1,1,4,07:26:10.000000,2021-07-05,'],
  [4_200_000, 'L2', '8,AAPL,B,100.0000,2,1,4,07:26:14.200000,2021-07-05,'],
];

const { sims, clients } = stopAfterEach();

function decode(line: string): Record<string, unknown> {
  const m = new AdminDecoder().decode(line);
  if (isDecodeError(m)) throw new Error(m.error);
  return m as unknown as Record<string, unknown>;
}

describe('admin session', () => {
  it('acknowledges admin commands as IQConnect does, masks the password and never logs it', async () => {
    let logged = '';
    const sink = new Writable({
      write(chunk, _enc, done) {
        logged += String(chunk);
        done();
      },
    });
    const logger = pino({ level: 'debug' }, sink);
    const tape = writeTape({ symbols: 'AAPL', 'start-us': String(START) }, BODY);
    const sim = await startSim({ tape, clock: new ManualClock(0), logger });
    sims.push(sim);
    const a = await TestClient.connect(sim.ports.ADMIN, 'ADMIN');
    clients.push(a);
    a.send([
      'S,REGISTER CLIENT APP,L2H_PRODUCT,1.0.0.0',
      'S,REMOVE CLIENT APP,L2H_PRODUCT,1.0.0.0',
      'S,SET LOGINID,490914',
      'S,SET PASSWORD,s3cr3t,with,commas',
      'S,SET SAVE LOGIN INFO,On',
      'S,SET SAVE LOGIN INFO,Off',
      'S,SET AUTOCONNECT,On',
      'S,SET AUTOCONNECT,Off',
      'S,SET PROTOCOL,6.2',
      'S,SET PROTOCOL,7.0',
      'S,SET CLIENT NAME,launcher',
      'S,NOT A COMMAND',
      'S,SET PASSWORD,an0ther',
      'S,DISCONNECT',
      'S,CONNECT',
    ]);
    await a.waitForLines(14);
    const lines = a.lines();
    expect(lines.slice(0, 13)).toEqual([
      'S,REGISTER CLIENT APP COMPLETED,',
      'S,REMOVE CLIENT APP COMPLETED,',
      'S,CURRENT LOGINID,490914,',
      'S,CURRENT PASSWORD,(*******),',
      'S,LOGIN INFO SAVED,',
      'S,LOGIN INFO NOT SAVED,',
      'S,AUTOCONNECT ON,',
      'S,AUTOCONNECT OFF,',
      'S,CURRENT PROTOCOL,6.2,',
      'E,7.0 is not a valid protocol.,',
      'E,!SYNTAX_ERROR!,',
      'S,CURRENT PASSWORD,(*******),',
      // S,DISCONNECT: the status at once, with no server address or times.
      expect.stringMatching(
        /^S,STATS,,,500,0,1,0,0,0,,,Not Connected,6\.2\.0\.25,490914,0\.00,0\.00,0\.00,\d+\.\d\d,0\.00,\d+\.\d\d,$/,
      ),
    ]);
    expect(decode(lines[13])).toMatchObject({
      Status: 'Connected',
      'Server IP': '127.0.0.1',
      'Login ID': '490914',
    });
    expect(lines[13]).toContain(',Jul 05 7:26AM,Jul 05 07:26AM,Connected,');
    const text = a.text() + logged;
    expect(text).not.toContain('s3cr3t');
    expect(text).not.toContain('an0ther');
    expect(sim.stats().connections[0].client).toBe('launcher');
  });

  it('pushes S,STATS once per simulated second and S,CLIENTSTATS per connection while on', async () => {
    const tape = writeTape({ symbols: 'AAPL', 'start-us': String(START) }, BODY);
    const clock = new ManualClock(0);
    const sim = await startSim({ tape, clock, start: 'first-watch' });
    sims.push(sim);
    const admin = await TestClient.connect(sim.ports.ADMIN, 'ADMIN');
    const l1 = await TestClient.connect(sim.ports.L1, 'L1');
    const l2 = await TestClient.connect(sim.ports.L2, 'L2');
    clients.push(admin, l1, l2);
    l1.send(['S,SET CLIENT NAME,quotes', 'wAAPL', 'S,REGON,AAPL', 'S,REQUEST WATCHES']);
    await l1.waitForLine((l) => l.startsWith('S,WATCHES'), 'the L1 watch');
    l2.send(['WPL,AAPL', 'S,REQUEST WATCHES']);
    await l2.waitForLine((l) => l.startsWith('S,WATCHES'), 'the L2 watch');
    admin.send('S,CLIENTSTATS ON');
    await admin.waitForLines(3);
    const first = admin.lines().map(decode);
    expect(
      first.map((m) => [
        m['Client Type'],
        m['Client ID'],
        m['Client Name'],
        m.Symbols,
        m['Regional Symbols'],
      ]),
    ).toEqual([
      [0, 1, null, null, null],
      [1, 2, 'quotes', 1, 1],
      [2, 3, null, 1, null],
    ]);
    expect(first[1]['Start Time']).toBe('2021-07-05T07:26:10');
    await waitFor(() => sim.stats().replay.linesReplayed === 1, 'the first line');
    clock.advanceUs(3_000_000);
    // Seconds 07:26:11, :12, :13 each bring one STATS and three CLIENTSTATS.
    await admin.waitForLines(3 + 3 * 4);
    const pushed = admin.lines().slice(3).map(decode);
    expect(pushed.map((m) => m['System Type'])).toEqual(
      Array(3).fill(['STATS', 'CLIENTSTATS', 'CLIENTSTATS', 'CLIENTSTATS']).flat(),
    );
    expect(pushed[0]).toMatchObject({ 'Clients Connected': 3, 'Number of Symbols': 1, Status: 'Connected' });
    expect(pushed[0]['Total KB Sent']).toBeGreaterThan(0);
    admin.send(['S,CLIENTSTATS OFF', 'S,REQUEST STATS']);
    await admin.waitForLines(16);
    clock.advanceUs(1_000_000);
    await admin.waitForLines(17);
    expect(admin.lines()[16]).toMatch(/^S,STATS,/);
    clock.advanceUs(5_000_000);
    await sim.tapeEnd;
    // After the tape simulated time runs on at wall-clock rate: one STATS a second, as IQConnect.
    const atEnd = sim.stats().connections[0].lines;
    // Seconds since the last update: the tape's last line grows older each second.
    const sinceUpdate = (l: string) => Number(l.split(',')[7]);
    clock.advanceUs(2_000_000);
    await admin.waitForLines(atEnd + 2);
    expect(sim.stats().connections[0].lines).toBe(atEnd + 2);
    const after = admin.lines().slice(atEnd - 1);
    expect(after.every((l) => l.startsWith('S,STATS,'))).toBe(true);
    const ages = after.map(sinceUpdate);
    expect(ages[2] - ages[1]).toBe(1);
    expect(ages[1] - ages[0]).toBe(1);
  });

  it('ends the run on S,L2H END', async () => {
    const tape = writeTape({ symbols: 'AAPL', 'start-us': String(START) }, BODY);
    const sim = await startSim({ tape, clock: new ManualClock(0) });
    sims.push(sim);
    const a = await TestClient.connect(sim.ports.ADMIN, 'ADMIN');
    clients.push(a);
    a.send('S,L2H END');
    const stats = await sim.finished;
    expect(stats.reason).toBe('admin-end');
    await waitFor(() => a.closed, 'the connection closed');
  });
});
