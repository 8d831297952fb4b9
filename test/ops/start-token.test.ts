/**
 * The monitor token given to `l2h start` reaches the collector, but never `start.json`, the
 * collector's command line (/proc/PID/cmdline is world-readable) or what start prints.
 */
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { opsPaths } from '../../ops/paths.js';
import { startInBackground } from '../../ops/start.js';
import { splitStartArgs } from '../../ops/start-args.js';

const TOKEN = 's3cr3t-token-0123456789abcdef';

interface Seen {
  readonly argv: string[];
  readonly envToken: string | null;
}

let dir: string;
let cliPath: string;
let seenFile: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'l2h-start-token-'));
  cliPath = join(dir, 'fake-cli.mjs');
  seenFile = join(dir, 'seen.json');
  // A stand-in collector: records what it got, says ready, and lingers past start's timeout (it is
  // never healthy) so that start records the run in start.json; afterEach kills it.
  await writeFile(
    cliPath,
    `import { writeFileSync } from 'node:fs';
if (process.argv[2] === 'collect') {
  writeFileSync(${JSON.stringify(seenFile)}, JSON.stringify({ argv: process.argv.slice(3), envToken: process.env.L2H_MONITOR_TOKEN ?? null }));
  console.log(JSON.stringify({ event: 'ready', session: 's-1', monitor: null }));
  setTimeout(() => {}, 10000);
}
`,
  );
});
const started: number[] = [];
afterEach(async () => {
  for (const pid of started.splice(0)) {
    try {
      process.kill(pid);
    } catch {
      // Already gone.
    }
  }
  await rm(dir, { recursive: true, force: true });
});

async function start(argv: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<string[]> {
  const split = splitStartArgs(argv);
  const said: string[] = [];
  const base = { ...process.env };
  delete base['L2H_MONITOR_TOKEN'];
  const outcome = await startInBackground({
    flags: split.flags,
    collectArgs: split.collect,
    cliPath,
    env: { ...base, ...env },
    say: (l) => said.push(l),
  });
  if (outcome.pid !== null) started.push(outcome.pid);
  return said;
}

async function seen(): Promise<Seen> {
  return JSON.parse(await readFile(seenFile, 'utf8')) as Seen;
}

describe('l2h start with a monitor token', () => {
  it.each([
    { form: '--monitor-token T', flag: ['--monitor-token', TOKEN] },
    { form: '--monitor-token=T', flag: [`--monitor-token=${TOKEN}`] },
  ])(
    '$form: the collector gets it from its environment; argv and start.json never hold it',
    async ({ flag }) => {
      const runDir = join(dir, 'run');
      const said = await start([
        '--headless',
        '--run-dir',
        runDir,
        '--timeout-s',
        '2',
        '--symbols',
        'AAPL',
        ...flag,
      ]);
      const s = await seen();
      expect(s.envToken).toBe(TOKEN);
      expect(JSON.stringify(s.argv)).not.toContain(TOKEN);
      expect(s.argv).not.toContain('--monitor-token');
      expect(s.argv.slice(0, 2)).toEqual(['--symbols', 'AAPL']);

      const startFile = opsPaths(runDir).startFile;
      const text = await readFile(startFile, 'utf8');
      expect(text).not.toContain(TOKEN);
      expect(JSON.parse(text)).toMatchObject({ monitorNeedsToken: true, collectArgs: ['--symbols', 'AAPL'] });
      expect((await stat(startFile)).mode & 0o777).toBe(0o600);
      expect(said.join('\n')).not.toContain(TOKEN);
    },
  );

  it('passes a token from the environment on unchanged', async () => {
    const runDir = join(dir, 'run');
    await start(['--run-dir', runDir, '--timeout-s', '2', '--symbols', 'AAPL'], {
      L2H_MONITOR_TOKEN: TOKEN,
    });
    expect((await seen()).envToken).toBe(TOKEN);
    const text = await readFile(opsPaths(runDir).startFile, 'utf8');
    expect(text).not.toContain(TOKEN);
    expect(JSON.parse(text)).toMatchObject({ monitorNeedsToken: true });
  });

  it('does not print the token from a stale pid file naming another program', async () => {
    const runDir = join(dir, 'run');
    await mkdir(runDir, { recursive: true });
    // Another program with a token on its command line, e.g. a collector of an older l2h.
    const other = spawn(
      process.execPath,
      ['-e', 'setTimeout(() => {}, 5000)', '--', '--monitor-token', TOKEN],
      {
        stdio: 'ignore',
      },
    );
    try {
      await writeFile(opsPaths(runDir).pidFile, `${other.pid}\n`);
      const said = await start(['--run-dir', runDir, '--timeout-s', '2', '--symbols', 'AAPL']);
      const stale = said.find((l) => l.startsWith('found a stale pid file'));
      expect(stale).toContain('another program');
      expect(said.join('\n')).not.toContain(TOKEN);
    } finally {
      other.kill();
    }
  });
});
