import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RecordKind } from '../../collector/records/types.js';
import { inputError } from '../../common/errors.js';
import type { Check } from '../results/types.js';
import { runPaths } from '../run-dir.js';
import { consistencyCheck, recordValuesCheck, sinkLossCheck, symbolsRecordedCheck } from './checks.js';
import { buildExpectedIndex, type ExpectedIndex, type ExpectedOptions } from './expected-index.js';
import { feedCheck, type SentConnection } from './feed-check.js';
import { journalSessionInfo } from './journal-reader.js';
import { type SinkTally, tallySink } from './sink-tally.js';
import type { SinkRecordSource } from './sinks/source.js';

export interface VerifyOptions {
  readonly runDir: string;
  readonly depth: number;
  /** Every enabled sink; the first is the one whose content is compared with the reference. */
  readonly sinks: readonly SinkRecordSource[];
  /** Connections a crash cut short on purpose (`L2#1`): their journal must be a prefix. */
  readonly truncatedAllowed?: ReadonlySet<string>;
  readonly onProgress?: (stage: string) => void;
}

export interface VerifyOutcome {
  readonly checks: readonly Check[];
  readonly session: string;
  readonly journalLines: number;
  readonly tallies: readonly SinkTally[];
  readonly expected: ExpectedIndex;
}

/** The one collector session in a run's journal directory. */
export async function findSessionDir(journalDir: string): Promise<string> {
  const names = await readdir(journalDir).catch(() => [] as string[]);
  const sessions: string[] = [];
  for (const n of names) {
    const entries = await readdir(join(journalDir, n)).catch(() => [] as string[]);
    if (entries.some((e) => e.startsWith('journal-'))) sessions.push(n);
  }
  if (sessions.length !== 1) {
    throw inputError(`expected one collector session in the journal directory, found ${sessions.length}`, {
      dir: journalDir,
    });
  }
  return join(journalDir, sessions[0]!);
}

function symbolsHeader(value: string | undefined): string[] {
  return (value ?? '')
    .split(/[,\s]+/)
    .map((s) => s.trim())
    .filter(Boolean);
}

/**
 * Every verification of CONTRACTS §5 over a finished run: the simulator's stats against the
 * journal, the journal against each sink, each record against the independent reference, and the
 * sinks against each other.
 */
export async function verifyRun(options: VerifyOptions): Promise<VerifyOutcome> {
  const paths = runPaths(options.runDir);
  const sessionDir = await findSessionDir(paths.journal);
  const info = await journalSessionInfo(sessionDir);
  const checks: Check[] = [];

  options.onProgress?.('simulator vs journal');
  let statsText: string;
  try {
    statsText = await readFile(paths.simulatorStats, 'utf8');
  } catch {
    throw inputError('the simulator stats are missing', { file: paths.simulatorStats });
  }
  const stats = JSON.parse(statsText) as { connections?: SentConnection[] };
  const feed = await feedCheck({
    journalDir: sessionDir,
    sent: stats.connections ?? [],
    truncatedAllowed: options.truncatedAllowed,
  });
  checks.push(feed.check);

  options.onProgress?.('reference books');
  const reference: ExpectedOptions = {
    journalDir: sessionDir,
    session: info.session,
    journalLines: feed.journalLines,
    symbols: symbolsHeader(info.headers['symbols']),
    depth: options.depth,
  };
  const expected = await buildExpectedIndex(reference);

  const tallies: SinkTally[] = [];
  for (const sink of options.sinks) {
    options.onProgress?.(`sink ${sink.name}`);
    const t = await tallySink(expected, sink);
    tallies.push(t);
    checks.push(sinkLossCheck(t));
  }
  checks.push(symbolsRecordedCheck(reference.symbols, expected));
  const primary = tallies[0];
  if (primary) {
    for (const kind of ['l2', 'l1', 'ticks', 'gaps'] as RecordKind[]) {
      const any = Object.keys(expected.counts).some((k) => k.startsWith(`${kind}/`));
      // A kind the journal implies no record of (no gaps; no ticks on an L2-only day) has nothing
      // to compare: no check rather than one that cannot fail. A run with no record of any kind
      // is failed by the loss checks and integrity.symbols-recorded instead.
      if (any) checks.push(await recordValuesCheck(kind, primary, reference));
    }
  }
  if (tallies.length >= 2) checks.push(consistencyCheck(tallies));
  return { checks, session: info.session, journalLines: feed.journalLines, tallies, expected };
}
