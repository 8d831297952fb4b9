/**
 * hostile-feed: malformed (corrupted fields, unknown message types, timestamps running
 * backwards), truncated, oversized (1 MiB) and binary lines mixed into valid traffic on L1 and
 * L2, plus lines split across writes. Verified: the collector never crashed (exit checks, no
 * unplanned exit); every line is journaled byte for byte (feed check); every bad line is at the
 * journal position the simulator reported, with the length and SHA-256 it reported, and the collector counted exactly the lines its codec
 * cannot decode (counted here independently over the journal); valid lines unaffected (every
 * record equals the reference). Every bad line's place is written to `scenario/bad-lines.jsonl`.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Channel } from '../../collector/protocol/channel.js';
import type { InjectedFault } from '../../simulator/faults/injector.js';
import type { FaultSpec, RandomFaults } from '../../simulator/faults/spec.js';
import { type ReplayOutcome, runReplay } from '../replay/replay.js';
import type { Check } from '../results/types.js';
import {
  connectionNames,
  readSimStats,
  scenarioCheck,
  stopSimulatorThenSettle,
  tapeShape,
} from './common.js';
import type { ReplayControl } from './hooks.js';
import { type JournalFacts, journalFacts, type LinePosition, positionKey } from './journal-facts.js';
import { withSabotage } from './sabotage.js';
import { findSessionDirOf } from './session.js';
import { scenarioTape } from './tape.js';
import type { Scenario, ScenarioRunOptions } from './types.js';

const CI = { lines: 100_000, bad: 400, oversized: 3 };
const FULL = { lines: 1_000_000, bad: 5000, oversized: 10 };

/** Faults that put a line on the wire that is not the tape's. */
const BAD_KINDS = ['garbage', 'binary', 'corrupt', 'truncate', 'unknown-type', 'time-backwards'] as const;

export const hostileFeed: Scenario = {
  name: 'hostile-feed',
  description:
    'malformed, truncated, 1 MiB and binary lines mixed into valid traffic: 0 crashes, all journaled, every bad one counted and located',
  seed: 5003,
  ci: CI,
  full: FULL,
  sabotage:
    'the collector frames with a 64 KiB line limit, so the 1 MiB lines are journaled in pieces (sabotage/short-lines preloaded)',
  needs: [],
  async run(o: ScenarioRunOptions): Promise<ReplayOutcome> {
    const size = { ...(o.full ? FULL : CI), ...o.size };
    const seed = o.seed ?? this.seed;
    const tape = o.tape ?? (await scenarioTape(seed, size.lines));
    const shape = await tapeShape(tape);
    const groups: RandomFaults[] = [];
    for (const ch of ['L1', 'L2'] as const) {
      // Lines offered on a channel are about the tape's lines of that channel; stay inside them.
      const to = Math.max(100, Math.floor(shape.perChannel[ch] * 0.9));
      const share = shape.perChannel[ch] / Math.max(1, shape.perChannel.L1 + shape.perChannel.L2);
      groups.push({
        kinds: [...BAD_KINDS],
        channels: [ch],
        count: Math.max(1, Math.round(size.bad * share)),
        lines: [50, to],
      });
      groups.push({
        kinds: ['split'],
        channels: [ch],
        count: Math.max(1, Math.round((size.bad / 4) * share)),
        lines: [50, to],
      });
    }
    groups.push({
      kinds: ['oversized'],
      channels: ['L2'],
      count: size.oversized,
      lines: [100, Math.max(200, Math.floor(shape.perChannel.L2 * 0.9))],
      bytes: 1024 * 1024,
    });
    const spec: FaultSpec = { seed, random: groups };
    return withSabotage(o.sabotage ? 'short-lines' : null, () =>
      runReplay({
        tape,
        out: o.out,
        speed: 'max',
        rate: null,
        sinks: ['jsonl'],
        depth: 10,
        seed,
        timeoutMs: o.timeoutMs ?? (o.full ? 1_800_000 : 300_000),
        command: o.command,
        scenario: 'hostile-feed',
        logger: o.logger,
        simulatorArgs: ['--faults', JSON.stringify(spec)],
        hooks: {
          afterTapeEnd: (c) => stopSimulatorThenSettle(c),
          extraChecks: (c) => hostileChecks(c, shape.symbols),
        },
      }),
    );
  },
};

export interface BadLine {
  readonly n: number;
  readonly kind: string;
  readonly channel: Channel;
  readonly connection: string;
  readonly line: number;
  /** What the simulator put there (null: it did not say, so nothing can match it). */
  readonly sentBytes: number | null;
  readonly sentSha256: string | null;
  /** The line the journal holds at that place; null: none. */
  readonly seq: number | null;
  readonly journaledBytes: number | null;
  readonly journaledSha256: string | null;
  /** The journaled line there is the one sent, byte for byte. */
  readonly found: boolean;
}

/**
 * Each bad line against the journal at the place it was sent. A line being there is not enough:
 * every connection has lines at nearly every index, so only the same bytes (length and SHA-256
 * of what the simulator sent) show the bad line itself was journaled there.
 */
export function locateBadLines(
  bad: readonly InjectedFault[],
  names: ReadonlyMap<number, { readonly name: string; readonly index: number }>,
  facts: Pick<JournalFacts, 'positions'>,
): BadLine[] {
  return bad.map((f) => {
    const at = facts.positions.get(
      positionKey({ channel: f.channel, connection: names.get(f.connection)?.index ?? -1, line: f.wireLine }),
    );
    // stats.json is read from disk: a simulator built before it reported `addedLine` omits it.
    const sent = f.addedLine ?? null;
    return {
      n: f.n,
      kind: f.kind,
      channel: f.channel,
      connection: names.get(f.connection)?.name ?? String(f.connection),
      line: f.wireLine,
      sentBytes: sent?.bytes ?? null,
      sentSha256: sent?.sha256 ?? null,
      seq: at?.seq ?? null,
      journaledBytes: at?.bytes ?? null,
      journaledSha256: at?.sha256 ?? null,
      found: sent !== null && at !== undefined && at.bytes === sent.bytes && at.sha256 === sent.sha256,
    };
  });
}

export function badLinesJournaledCheck(
  located: readonly BadLine[],
  faults: { readonly splits: number; readonly notReached: number },
): Check {
  const missing = located.filter((b) => !b.found);
  const byKind: Record<string, number> = {};
  for (const b of located) byKind[b.kind] = (byKind[b.kind] ?? 0) + 1;
  const short = (h: string | null): string => (h === null ? '?' : h.slice(0, 12));
  return scenarioCheck(
    'bad-lines-journaled',
    'Every bad line the feed sent is journaled, at the place it was sent',
    'bad lines not found byte for byte (length and SHA-256) at their place = 0',
    `${located.length - missing.length} of ${located.length} bad lines found in the journal (${Object.entries(
      byKind,
    )
      .map(([k, v]) => `${v} ${k}`)
      .join(', ')}); ${faults.splits} lines split across writes; ${faults.notReached} faults not reached`,
    missing.length === 0 && located.length > 0,
    {
      counts: {
        bad: located.length,
        missing: missing.length,
        split: faults.splits,
        oversized: byKind['oversized'] ?? 0,
      },
      differences: missing.slice(0, 10).map((b) => ({
        where: `${b.connection} line ${b.line} (fault #${b.n} ${b.kind})`,
        expected: `the bad line journaled there (${b.sentBytes ?? '?'} bytes, sha256 ${short(b.sentSha256)})`,
        actual:
          b.sentSha256 === null
            ? 'the simulator did not report the line it sent'
            : b.seq === null
              ? 'no such line in the journal'
              : `a different line there (seq ${b.seq}, ${b.journaledBytes} bytes, sha256 ${short(b.journaledSha256)})`,
      })),
      details: { first: located.slice(0, 20) },
      files: ['scenario/bad-lines.jsonl', 'simulator/stats.json'],
    },
  );
}

async function hostileChecks(control: ReplayControl, symbols: readonly string[]): Promise<Check[]> {
  const stats = await readSimStats(control.paths);
  const report = stats.faults;
  const names = connectionNames(stats.connections);
  const bad = (report?.injected ?? []).filter((f) => f.addedLines > 0);
  const positions: LinePosition[] = bad.map((f) => ({
    channel: f.channel,
    connection: names.get(f.connection)?.index ?? -1,
    line: f.wireLine,
  }));
  const sessionDir = await findSessionDirOf(control.paths);
  const facts = await journalFacts({
    journalDir: sessionDir,
    symbols,
    positions,
    decode: true,
    keepSeqs: 20,
  });
  const located = locateBadLines(bad, names, facts);
  const dir = join(control.paths.dir, 'scenario');
  await mkdir(dir, { recursive: true });
  await writeFile(
    join(dir, 'bad-lines.jsonl'),
    located.map((b) => JSON.stringify(b)).join('\n') + (located.length ? '\n' : ''),
  );
  const locatedCheck = badLinesJournaledCheck(located, {
    splits: (report?.injected ?? []).filter((f) => f.kind === 'split').length,
    notReached: report?.notReached.length ?? 0,
  });

  const status = await control.readStatus();
  const counted = status?.totals.malformed ?? -1;
  const examples = status?.problems.malformed ?? [];
  const examplesAtPlace = examples.filter(
    (e) => located.some((b) => b.found && b.seq === e.seq) || facts.undecodableSeqs.includes(e.seq),
  );
  const countedCheck = scenarioCheck(
    'bad-lines-counted',
    'The collector counted every line it could not decode, and says where',
    'collector malformed = lines the codec cannot decode (counted over the journal); its examples name real places',
    `collector counted ${counted} malformed; the journal holds ${facts.undecodable} undecodable lines; ${examplesAtPlace.length} of ${examples.length} examples at a bad line`,
    counted === facts.undecodable && examplesAtPlace.length === examples.length && facts.undecodable > 0,
    {
      counts: {
        collectorMalformed: counted,
        journalUndecodable: facts.undecodable,
        examples: examples.length,
      },
      details: { firstUndecodableSeqs: facts.undecodableSeqs, collectorExamples: examples.slice(0, 5) },
      files: ['collector/status.json'],
    },
  );
  return [locatedCheck, countedCheck];
}
