/**
 * Secrets never appear in a run directory, a log or a report: a replay is run with a monitor
 * token on the collector's command line and in its environment, and with a password-bearing
 * service URL among the recorded arguments; then every file of the run directory (journal,
 * JSONL, logs, stats, config, results, the HTML/Markdown/JSON/JUnit report) is searched for them.
 *
 * The IQFeed password goes to the collector both ways it can (flag and environment) and is sent
 * to the simulator's admin port, which echoes it masked as IQConnect does. Not covered: a
 * password-bearing URL actually used by a ClickHouse sink (the local test server has no
 * password to check it against); the URL is among the recorded arguments instead.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../common/logger.js';
import { redactArgs, redactText } from '../../harness/redact.js';
import { runReplay } from '../../harness/replay/replay.js';
import type { RunResults } from '../../harness/results/types.js';
import { writeReport } from '../../reports/index.js';

const TOKEN = 'tok3n-Sh0uld-N3ver-Appear-7f3a9c';
const CH_PASSWORD = 'chPa55w0rd-N3ver-Appear';
const IQFEED_PASSWORD = 'IqF33d-pa55-N3ver-Appear';
const SECRETS = [TOKEN, CH_PASSWORD, IQFEED_PASSWORD];

const dir = mkdtempSync(join(tmpdir(), 'l2h-secrets-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A small tape: two symbols, a few depth rows and quotes. */
function tape(): string {
  const D = '09:30:00.000000,2025-07-25,';
  const body: string[] = [];
  for (let i = 0; i < 200; i++) {
    const side = i % 2 ? 'A' : 'B';
    body.push(`${i * 1000}\tL2\t7,AAPL,${side},${(100 + (i % 7) / 100).toFixed(2)},${i + 1},1,${D}`);
    body.push(`${i * 1000}\tL2\t8,MSFT,${side},${(200 + (i % 5) / 100).toFixed(2)},${i + 1},1,${D}`);
  }
  const path = join(dir, 'day.tape');
  writeFileSync(path, `#l2tape 1\n#symbols AAPL,MSFT\n#l2 mbp\n#date 2025-07-25\n${body.join('\n')}\n`);
  return path;
}

async function* files(root: string): AsyncGenerator<string> {
  for (const name of await readdir(root)) {
    const p = join(root, name);
    if ((await stat(p)).isDirectory()) yield* files(p);
    else yield p;
  }
}

describe('secrets', () => {
  it('redacts secret flags and URL passwords in recorded command lines', () => {
    expect(redactArgs(['--monitor-token', TOKEN, '--x', 'y'])).toEqual([
      '--monitor-token',
      '[redacted]',
      '--x',
      'y',
    ]);
    expect(redactArgs([`--iqfeed-password=${CH_PASSWORD}`])).toEqual(['--iqfeed-password=[redacted]']);
    expect(redactText(`http://l2h:${CH_PASSWORD}@127.0.0.1:8123/db`)).toBe(
      'http://l2h:[redacted]@127.0.0.1:8123/db',
    );
  });

  it('never appear in any file of a replay run directory or its report', async () => {
    const out = join(dir, 'run');
    const before = process.env['L2H_MONITOR_TOKEN'];
    process.env['L2H_MONITOR_TOKEN'] = TOKEN;
    const beforePw = process.env['L2H_IQFEED_PASSWORD'];
    process.env['L2H_IQFEED_PASSWORD'] = IQFEED_PASSWORD;
    let results: RunResults;
    try {
      ({ results } = await runReplay({
        tape: tape(),
        out,
        speed: 'max',
        rate: null,
        sinks: ['jsonl'],
        depth: 10,
        seed: 1,
        timeoutMs: 60_000,
        command: `l2h replay --monitor-token ${TOKEN} --clickhouse-url http://l2h:${CH_PASSWORD}@127.0.0.1:8123/l2h`,
        scenario: null,
        logger: silentLogger,
        collectorArgs: [
          '--monitor',
          '127.0.0.1:0',
          '--monitor-token',
          TOKEN,
          '--iqfeed-login',
          '424242',
          '--iqfeed-password',
          IQFEED_PASSWORD,
          '--log-level',
          'debug',
        ],
        simulatorArgs: ['--log-level', 'debug'],
        services: { clickhouse: `http://l2h:${CH_PASSWORD}@127.0.0.1:8123` },
      }));
    } finally {
      if (before === undefined) delete process.env['L2H_MONITOR_TOKEN'];
      else process.env['L2H_MONITOR_TOKEN'] = before;
      if (beforePw === undefined) delete process.env['L2H_IQFEED_PASSWORD'];
      else process.env['L2H_IQFEED_PASSWORD'] = beforePw;
    }
    expect(results.checks.find((c) => c.id === 'process.collector-exit')?.pass).toBe(true);
    await writeReport(out);
    const leaks: string[] = [];
    let searched = 0;
    for await (const f of files(out)) {
      searched++;
      const text = (await readFile(f)).toString('latin1');
      for (const s of SECRETS)
        if (text.includes(s)) leaks.push(`${f.slice(out.length + 1)} holds ${s.slice(0, 6)}…`);
    }
    expect(searched).toBeGreaterThan(8);
    // The password did reach IQConnect (the simulator): its masked echo is in the journal.
    const journaled: string[] = [];
    for await (const f of files(join(out, 'journal'))) journaled.push((await readFile(f)).toString('latin1'));
    expect(journaled.join('\n')).toMatch(/S,CURRENT PASSWORD,\(\*+\),/);
    expect(leaks).toEqual([]);
  }, 120_000);
});
