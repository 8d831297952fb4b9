import { type ChildProcess, spawn } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deriveJournal } from '../../../collector/records/rederive.js';
import { jsonlFileName } from '../../../collector/sinks/jsonl/file-names.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const repo = join(here, '../../..');

export interface ReadyEvent {
  readonly event: 'ready';
  readonly session: string;
  readonly sessionDir: string;
  readonly resumed: boolean;
  readonly pid: number;
}

export interface Spawned {
  readonly child: ChildProcess;
  /** Resolves at the collector's `ready` line; rejects if it exits first. */
  readonly ready: Promise<ReadyEvent>;
  readonly exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  readonly stdout: string[];
  stderr(): string;
}

/** `l2h collect …` as a child process, run from the TypeScript sources. */
export function spawnCollect(args: readonly string[]): Spawned {
  const child = spawn(
    process.execPath,
    ['--import', join(here, 'ts-loader.mjs'), join(here, 'collect-main.ts'), 'collect', ...args],
    { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CI: 'true' } },
  );
  const stdout: string[] = [];
  let err = '';
  let buffered = '';
  let onReady: (e: ReadyEvent) => void = () => {};
  let onFail: (e: Error) => void = () => {};
  const ready = new Promise<ReadyEvent>((resolve, reject) => {
    onReady = resolve;
    onFail = reject;
  });
  // A test that expects the child to fail never awaits `ready`.
  ready.catch(() => undefined);
  child.stdout!.setEncoding('utf8');
  child.stdout!.on('data', (chunk: string) => {
    buffered += chunk;
    for (let nl = buffered.indexOf('\n'); nl >= 0; nl = buffered.indexOf('\n')) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      stdout.push(line);
      try {
        const e = JSON.parse(line) as { event?: string };
        if (e.event === 'ready') onReady(e as ReadyEvent);
      } catch {
        // Not ours.
      }
    }
  });
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (chunk: string) => {
    err += chunk;
  });
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('exit', (code, signal) => {
      onFail(new Error(`the collector exited (code ${code}, signal ${signal}) before it was ready:\n${err}`));
      resolve({ code, signal });
    });
  });
  return { child, ready, exit, stdout, stderr: () => err };
}

/** Every JSONL file of a data directory, its lines in file order. */
export async function jsonlFiles(
  dataDir: string,
  options: { readonly tornTail?: 'keep' | 'drop' } = {},
): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  for (const name of (await readdir(dataDir)).sort()) {
    if (!name.endsWith('.jsonl')) continue;
    const text = await readFile(join(dataDir, name), 'utf8');
    const lines = text.split('\n');
    // A process killed in the middle of an append leaves its last line unterminated; the
    // restart cuts it. Only what a reader may rely on counts then: terminated lines.
    if (options.tornTail === 'drop') lines.pop();
    out.set(
      name,
      lines.filter((l) => l !== ''),
    );
  }
  return out;
}

/**
 * What a collector that was never stopped writes for this journal: every record the journal
 * implies, in the file its symbol, kind and day pick, in the order the deriver emits them.
 */
export async function expectedFiles(sessionDir: string): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  for await (const batch of deriveJournal(sessionDir)) {
    for (const r of batch) {
      const name = jsonlFileName(r.symbol, r.kind, r.day);
      const list = out.get(name) ?? [];
      list.push(r.json);
      out.set(name, list);
    }
  }
  return new Map([...out.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
