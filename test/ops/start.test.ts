/**
 * `l2h start --resume` continues the recorded session in the recorded journal. The collector
 * here is a stand-in script that records the arguments it was given and exits, so the test
 * sees exactly what `l2h start` would run.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { opsPaths } from '../../ops/paths.js';
import { startInBackground } from '../../ops/start.js';
import { flagValue, splitStartArgs } from '../../ops/start-args.js';
import { type StartRecord, writeStartRecord } from '../../ops/start-record.js';

const SESSION = '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b';

let dir: string;
let cliPath: string;
let argvFile: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'l2h-start-'));
  cliPath = join(dir, 'fake-cli.mjs');
  argvFile = join(dir, 'collect-argv.json');
  // `_rotate-logs` runs the same entry beside the collector: only the collector's arguments count.
  await writeFile(
    cliPath,
    `import { writeFileSync } from 'node:fs';
if (process.argv[2] === 'collect') writeFileSync(${JSON.stringify(argvFile)}, JSON.stringify(process.argv.slice(3)));
`,
  );
});
afterEach(() => rm(dir, { recursive: true, force: true }));

/** A run folder whose first start used its own journal and data directories. */
async function firstStartRecorded(): Promise<{ runDir: string; journalDir: string; dataDir: string }> {
  const runDir = join(dir, 'run');
  const journalDir = join(dir, 'jr');
  const dataDir = join(dir, 'dr');
  await mkdir(join(journalDir, SESSION), { recursive: true });
  await mkdir(runDir, { recursive: true });
  const record: StartRecord = {
    schema: 'l2h.start/1',
    pid: 999_999,
    startedAt: '2024-06-21T09:30:00.000Z',
    mode: 'headless',
    monitorUrl: null,
    monitorNeedsToken: false,
    session: SESSION,
    dataDir,
    journalDir,
    collectArgs: ['--symbols', 'AAPL', '--journal-dir', journalDir, '--data-dir', dataDir],
  };
  await writeStartRecord(opsPaths(runDir).startFile, record);
  return { runDir, journalDir, dataDir };
}

async function start(argv: readonly string[]): Promise<{ exitCode: number; said: string[] }> {
  const split = splitStartArgs(argv);
  const said: string[] = [];
  const outcome = await startInBackground({
    flags: split.flags,
    collectArgs: split.collect,
    cliPath,
    env: process.env,
    say: (l) => said.push(l),
  });
  return { exitCode: outcome.exitCode, said };
}

async function collectArgv(): Promise<string[]> {
  return JSON.parse(await readFile(argvFile, 'utf8')) as string[];
}

describe('l2h start --resume', () => {
  it('continues in the journal and data directories the first start recorded', async () => {
    const { runDir, journalDir, dataDir } = await firstStartRecorded();
    // The stand-in exits at once, so the start itself reports failure; its arguments are what count.
    await start(['--headless', '--run-dir', runDir, '--resume', '--symbols', 'AAPL']);
    const argv = await collectArgv();
    expect(flagValue(argv, '--session')).toBe(SESSION);
    expect(flagValue(argv, '--journal-dir')).toBe(journalDir);
    expect(flagValue(argv, '--data-dir')).toBe(dataDir);
  });

  it('accepts the recorded journal directory given again', async () => {
    const { runDir, journalDir } = await firstStartRecorded();
    await start(['--run-dir', runDir, '--resume', '--symbols', 'AAPL', '--journal-dir', journalDir]);
    expect(flagValue(await collectArgv(), '--journal-dir')).toBe(journalDir);
  });

  it('refuses another journal directory than the recorded one, naming both', async () => {
    const { runDir, journalDir } = await firstStartRecorded();
    const other = join(dir, 'elsewhere');
    await expect(
      start(['--run-dir', runDir, '--resume', '--symbols', 'AAPL', '--journal-dir', other]),
    ).rejects.toThrow(new RegExp(`--journal-dir ${other}.*${journalDir}`));
  });

  it('refuses another data directory than the recorded one, naming both', async () => {
    const { runDir, dataDir } = await firstStartRecorded();
    const other = join(dir, 'elsewhere');
    await expect(
      start(['--run-dir', runDir, '--resume', '--symbols', 'AAPL', '--data-dir', other]),
    ).rejects.toThrow(new RegExp(`--data-dir ${other}.*${dataDir}`));
  });

  it("refuses when the session's journal is not there", async () => {
    const { runDir, journalDir } = await firstStartRecorded();
    await rm(join(journalDir, SESSION), { recursive: true });
    await expect(start(['--run-dir', runDir, '--resume', '--symbols', 'AAPL'])).rejects.toThrow(
      `--resume: session ${SESSION} has no journal in ${journalDir}`,
    );
  });
});
