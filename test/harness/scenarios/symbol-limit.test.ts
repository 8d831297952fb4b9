/**
 * Resource limit: symbols per connection. The simulator answers a watch past its limit with
 * `S,SYMBOL LIMIT REACHED,<sym>` as IQConnect does; the collector journals the line and must
 * surface it: its status names every refused symbol (a problem or a state reason), so an
 * operator sees that those symbols are not collected.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { CollectorStatus } from '../../../collector/monitor/status.js';
import { tapeShape } from '../../../harness/scenarios/common.js';
import { journalFacts } from '../../../harness/scenarios/journal-facts.js';
import { scenarioTape } from '../../../harness/scenarios/tape.js';
import { findSessionDir } from '../../../harness/verify/verify-run.js';
import { testReplay } from '../replay-helpers.js';

const root = mkdtempSync(join(tmpdir(), 'l2h-symbol-limit-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('symbol limit', () => {
  it('is journaled and surfaced by the collector', async () => {
    const tape = await scenarioTape(7002, 5000);
    const shape = await tapeShape(tape);
    const limit = shape.symbols.length - 2;
    const refused = shape.symbols.slice(limit);
    const out = join(root, 'run');
    const { results } = await testReplay({
      tape,
      out,
      timeoutMs: 60_000,
      simulatorArgs: ['--max-symbols', String(limit)],
    });
    expect(results.checks.find((c) => c.id === 'zero-loss.simulator-vs-journal')?.pass).toBe(true);
    // Journaled as received.
    const facts = await journalFacts({
      journalDir: await findSessionDir(join(out, 'journal')),
      symbols: shape.symbols,
    });
    expect(facts.lines).toBeGreaterThan(0);
    const journal = await readFile(
      join(await findSessionDir(join(out, 'journal')), 'journal-000001.tape'),
      'latin1',
    );
    for (const s of refused) expect(journal).toContain(`S,SYMBOL LIMIT REACHED,${s}`);
    // Surfaced: the collector's final status names each refused symbol next to the limit.
    const status = JSON.parse(
      await readFile(join(out, 'collector', 'status.json'), 'utf8'),
    ) as CollectorStatus;
    const said = JSON.stringify({ problems: status.problems, reasons: status.stateReasons });
    expect(said).toMatch(/SYMBOL LIMIT/i);
    for (const s of refused) expect(said).toContain(s);
  }, 120_000);
});
