import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, readlink, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { systemClock } from '../../common/clock.js';
import { pollUntil } from '../../services/shared/poll.js';
import { hostPortOf, tcpRefuses } from './support.js';

/*
 * A parent that provisions local services and then dies without stopping them must not leave
 * servers behind. The parent here is a real Node process running the compiled services module,
 * so the services are tied to it exactly as they are to a test runner or the CLI.
 */

const root = resolve(import.meta.dirname, '../..');
// Under the repository so the compiled modules resolve node_modules; .cache/ is gitignored.
const work = join(root, '.cache', `lifeline-${process.pid}`);
const out = join(work, 'out');

function run(command: string, args: string[]): Promise<string> {
  return new Promise((done, fail) => {
    const proc = spawn(command, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    proc.stdout.on('data', (c: Buffer) => {
      output += c.toString();
    });
    proc.stderr.on('data', (c: Buffer) => {
      output += c.toString();
    });
    proc.once('error', fail);
    proc.once('close', (code) =>
      code === 0 ? done(output) : fail(new Error(`${command} exited ${code}: ${output}`)),
    );
  });
}

beforeAll(async () => {
  await mkdir(work, { recursive: true });
  const tsconfig = {
    extends: join(root, 'tsconfig.json'),
    compilerOptions: { noEmit: false, outDir: out, rootDir: root, sourceMap: false, declaration: false },
    files: [join(root, 'services', 'index.ts'), join(root, 'common', 'logger.ts')],
    include: [],
  };
  await writeFile(join(work, 'tsconfig.json'), JSON.stringify(tsconfig));
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  await run(process.execPath, [tsc, '-p', join(work, 'tsconfig.json')]);
  await writeFile(
    join(work, 'parent.mjs'),
    `import { provisionServices } from './out/services/index.js';
import { silentLogger } from './out/common/logger.js';
const s = await provisionServices({ clickhouse: true, kafka: true, redis: true, logger: silentLogger });
console.log(JSON.stringify({ clickhouse: s.clickhouse.url, kafka: s.kafka.brokers, redis: s.redis.url }));
if (process.argv[2] === 'exit') process.exit(0);
setInterval(() => {}, 60_000); // wait to be killed
`,
  );
}, 120_000);

afterAll(() => rm(work, { recursive: true, force: true }));

interface Addresses {
  readonly clickhouse: string;
  readonly kafka: string[];
  readonly redis: string;
}

function startParent(how: string): { proc: ChildProcess; addresses: Promise<Addresses> } {
  const env: Record<string, string | undefined> = { ...process.env, TESTCONTAINERS_DISABLED: '1' };
  for (const name of ['CLICKHOUSE_URL', 'KAFKA_BROKERS', 'REDIS_URL']) delete env[name];
  const proc = spawn(process.execPath, [join(work, 'parent.mjs'), how], {
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const addresses = new Promise<Addresses>((done, fail) => {
    if (!proc.stdout) throw new Error('stdout is not a pipe');
    createInterface({ input: proc.stdout }).once('line', (line) => done(JSON.parse(line) as Addresses));
    proc.once('exit', (code) => fail(new Error(`parent exited (${code}) before printing its services`)));
  });
  return { proc, addresses };
}

/** The private directories of the servers `parentPid` started, read from their command lines. */
async function serverDirs(parentPid: number): Promise<string[]> {
  const dirs: string[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = await readFile(`/proc/${entry}/stat`, 'latin1');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid !== parentPid) continue;
      const argv = (await readFile(`/proc/${entry}/cmdline`, 'latin1')).split('\0');
      const config = argv.find((a) => a.startsWith('--config-file='));
      if (config) dirs.push(resolve(config.slice('--config-file='.length), '..'));
      // redis-server rewrites its command line, but it runs in its --dir.
      if (argv[0]?.includes('redis-server')) dirs.push(await readlink(`/proc/${entry}/cwd`));
    } catch {
      // The process ended while we looked.
    }
  }
  return dirs;
}

describe('local services die with the process that started them', () => {
  it.each([
    ['killed with SIGKILL (no exit hook can run: the stdin lifelines end them)', 'kill'],
    ['exiting with process.exit() without stopping them', 'exit'],
  ])('parent %s', async (_title, how) => {
    const { proc, addresses } = startParent(how);
    onTestFinished(() => {
      proc.kill('SIGKILL');
    });
    const a = await addresses;
    const endpoints = [hostPortOf(a.clickhouse), hostPortOf(a.redis), ...a.kafka];
    let dirs: string[] = [];
    if (how === 'kill') {
      for (const e of endpoints) expect(await tcpRefuses(e), e).toBe(false);
      dirs = await serverDirs(proc.pid ?? -1);
      expect(dirs.length).toBe(2); // clickhouse-server's and redis-server's
      for (const d of dirs) expect(existsSync(d), d).toBe(true);
      proc.kill('SIGKILL');
    }
    // clickhouse-server takes a second or two to shut down on SIGTERM.
    await pollUntil(
      async () => {
        const refused = await Promise.all(endpoints.map(tcpRefuses));
        return refused.every(Boolean) && dirs.every((d) => !existsSync(d)) ? true : undefined;
      },
      {
        clock: systemClock,
        timeoutMs: 20_000,
        intervalMs: 100,
        what: `every service of the dead parent to go (${endpoints.join(' ')}) with its directory (${dirs.join(' ')})`,
      },
    );
  });
});
