/**
 * The fault spec: every field checked, errors name the fault and the field; random groups drawn
 * from the seed the same way every time and spread over their window.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { L2hError } from '../../../common/errors.js';
import { planFaults } from '../../../simulator/faults/schedule.js';
import { loadFaultSpec, parseFaultSpec } from '../../../simulator/faults/spec.js';

function errorOf(text: string): L2hError {
  try {
    parseFaultSpec(text, 'test');
  } catch (err) {
    if (err instanceof L2hError) return err;
    throw err;
  }
  throw new Error('expected the spec to be refused');
}

describe('fault spec', () => {
  it('reads inline JSON and files', async () => {
    const inline = await loadFaultSpec('{"faults":[{"kind":"drop","channel":"L2","at":{"line":3}}]}');
    expect(inline.faults).toEqual([{ kind: 'drop', channel: 'L2', at: { line: 3 } }]);
    const dir = mkdtempSync(join(tmpdir(), 'l2h-faults-'));
    const file = join(dir, 'f.json');
    writeFileSync(
      file,
      '{"seed":9,"faults":[{"kind":"stall","channel":"L1","symbol":"aapl","at":{"timeMs":5},"ms":20}]}',
    );
    expect(await loadFaultSpec(file)).toEqual({
      seed: 9,
      faults: [{ kind: 'stall', channel: 'L1', symbol: 'AAPL', at: { timeMs: 5 }, ms: 20 }],
      random: [],
    });
  });

  it('names what is wrong and where', async () => {
    expect(errorOf('{"faults":[{"kind":"explode","channel":"L2","at":{"line":1}}]}').message).toContain(
      'faults[0].kind is "explode"',
    );
    expect(errorOf('{"faults":[{"kind":"drop","channel":"L3","at":{"line":1}}]}').message).toContain(
      'faults[0].channel',
    );
    expect(errorOf('{"faults":[{"kind":"drop","channel":"L2","at":{}}]}').message).toContain(
      'exactly one of "line" or "timeMs"',
    );
    expect(errorOf('{"faults":[{"kind":"drop","channel":"L2","at":{"line":-1}}]}').message).toContain(
      'faults[0].at.line',
    );
    expect(errorOf('{"faults":[{"kind":"drop","channel":"L2","at":{"line":1},"oops":1}]}').message).toContain(
      'unknown key "oops"',
    );
    expect(errorOf('{"random":[{"kinds":["drop"],"channels":["L1"],"count":3}]}').message).toContain(
      'exactly one window',
    );
    // A kept length of 0 would be an empty line, which a client frames as nothing at all.
    expect(
      errorOf('{"faults":[{"kind":"truncate","channel":"L2","at":{"line":1},"keep":0}]}').message,
    ).toContain('faults[0].keep must be a whole number 1–');
    expect(
      parseFaultSpec('{"faults":[{"kind":"truncate","channel":"L2","at":{"line":1},"keep":1}]}', 't').faults,
    ).toEqual([{ kind: 'truncate', channel: 'L2', at: { line: 1 }, keep: 1 }]);
    expect(errorOf('not json').code).toBe('BAD_INPUT');
    await expect(loadFaultSpec('/nonexistent/faults.json')).rejects.toMatchObject({ code: 'BAD_INPUT' });
  });

  it('draws random groups from the seed, the same way every time, one per slice of the window', () => {
    const spec = parseFaultSpec(
      '{"random":[{"kinds":["close","reset"],"channels":["L1","L2"],"count":50,"lines":[1000,101000]}]}',
      'test',
    );
    const a = planFaults(spec, 7);
    expect(planFaults(spec, 7)).toEqual(a);
    expect(planFaults(spec, 8)).not.toEqual(a);
    expect(a).toHaveLength(50);
    a.forEach((f, i) => {
      const line = 'line' in f.at ? f.at.line : -1;
      expect(line).toBeGreaterThanOrEqual(1000 + i * 2000);
      expect(line).toBeLessThan(1000 + (i + 1) * 2000);
      expect(f.n).toBe(i + 1);
    });
    expect(new Set(a.map((f) => f.kind))).toEqual(new Set(['close', 'reset']));
  });
});
