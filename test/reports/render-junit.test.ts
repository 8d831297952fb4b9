import { describe, expect, it } from 'vitest';
import type { RunResults } from '../../harness/results/types.js';
import { checkAnchors } from '../../reports/anchors.js';
import { renderJunit } from '../../reports/render-junit.js';
import { childrenNamed, parseXml } from './mini-xml.js';
import { failingRun, HOSTILE_LINE, HOSTILE_TITLE, passingRun } from './run-fixtures.js';

function suitesOf(results: RunResults) {
  const root = parseXml(renderJunit(results));
  expect(root.name).toBe('testsuites');
  return { root, suites: childrenNamed(root, 'testsuite') };
}

describe('renderJunit', () => {
  it('has one testcase per check, grouped in one testsuite per check group, with matching counts', () => {
    for (const results of [passingRun(), failingRun()]) {
      const { root, suites } = suitesOf(results);
      const groups = [...new Set(results.checks.map((c) => c.group))];
      expect(suites.map((s) => s.attrs.name)).toEqual(groups);
      expect(Number(root.attrs.tests)).toBe(results.checks.length);
      expect(Number(root.attrs.failures)).toBe(results.checks.filter((c) => !c.pass).length);
      expect(root.attrs.time).toBe((results.run.durationMs / 1000).toFixed(3));
      for (const suite of suites) {
        const checks = results.checks.filter((c) => c.group === suite.attrs.name);
        const cases = childrenNamed(suite, 'testcase');
        expect(cases.map((c) => c.attrs.name)).toEqual(checks.map((c) => c.id));
        expect(cases.every((c) => c.attrs.classname === `l2h.${suite.attrs.name}`)).toBe(true);
        expect(Number(suite.attrs.tests)).toBe(cases.length);
        const failedCases = cases.filter((c) => childrenNamed(c, 'failure').length === 1);
        expect(failedCases.map((c) => c.attrs.name)).toEqual(checks.filter((c) => !c.pass).map((c) => c.id));
        expect(Number(suite.attrs.failures)).toBe(failedCases.length);
      }
    }
  });

  it('puts threshold, measured value, first differences and the book diff in a failure', () => {
    const results = failingRun();
    const { suites } = suitesOf(results);
    const books = suites.find((s) => s.attrs.name === 'books')!;
    const failure = childrenNamed(childrenNamed(books, 'testcase')[0]!, 'failure')[0]!;
    const check = results.checks.find((c) => c.id === 'books.reference')!;
    // The hostile title comes back exactly: escaping lost nothing and broke nothing.
    expect(failure.attrs.message).toBe(
      `${HOSTILE_TITLE}: threshold mismatches = 0; measured ${check.measured}`,
    );
    const body = failure.text.split('\n');
    expect(body).toContain('threshold: mismatches = 0');
    expect(body).toContain(`measured: ${check.measured}`);
    expect(body).toContain('  seq 1234 AAPL l2');
    expect(body).toContain('    expected: bid L2 585.31 x 40');
    expect(body).toContain('    actual:   bid L2 585.31 x 20');
    expect(body).toContain('books at the first mismatch: AAPL seq 1234, 2 of 3 levels differ');
    // The control character of the journal line is shown, not written raw (XML 1.0 forbids it).
    expect(body).toContain(`  journal line: ${HOSTILE_LINE.replace('\u0001', '\\x01')}`);
    expect(body).toContain('  2 | 40 @ 585.32 | 20 @ 585.32 | 100 @ 585.95 | 100 @ 585.96 <-- differs');
    expect(body).toContain('  1 | 18 @ 585.33 | 18 @ 585.33 | 200 @ 585.94 | 200 @ 585.94');
    const anchor = checkAnchors(results.checks).get('books.reference')!.evidence;
    expect(body).toContain(`evidence: index.html#${anchor}`);
  });

  it('reports a null side of a difference as absent', () => {
    const { suites } = suitesOf(failingRun());
    const zeroLoss = suites.find((s) => s.attrs.name === 'zero-loss')!;
    const failure = childrenNamed(childrenNamed(zeroLoss, 'testcase')[0]!, 'failure')[0]!;
    expect(failure.text).toContain('  connection L2#1 line 88\n    expected: 3,AAPL,B,585.33');
    expect(failure.text).toContain('    actual:   (absent)');
  });

  it('carries the run identity as properties, escaped', () => {
    const results = failingRun();
    const { suites } = suitesOf(results);
    const props = childrenNamed(childrenNamed(suites[0]!, 'properties')[0]!, 'property');
    const byName = Object.fromEntries(props.map((p) => [p.attrs.name, p.attrs.value]));
    expect(byName['run.id']).toBe('load-<run>&1');
    expect(byName['tape.sha256']).toBe(results.run.tape!.sha256);
    expect(byName.verdict).toBe('fail');
    expect(byName['service.kafka']).toBe('librdkafka mock 2.0.2');
  });

  it('writes no raw control character anywhere', () => {
    // biome-ignore lint/suspicious/noControlCharactersInRegex: looking for them is the test
    expect(renderJunit(failingRun())).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/);
  });

  it('fails in CI when the run failed with no check at all: a testcase for the verdict', () => {
    const results: RunResults = { ...failingRun(), verdict: 'fail', checks: [] };
    const { root, suites } = suitesOf(results);
    expect(Number(root.attrs.tests)).toBe(1);
    expect(Number(root.attrs.failures)).toBe(1);
    expect(suites.map((s) => s.attrs.name)).toEqual(['run']);
    const cases = childrenNamed(suites[0]!, 'testcase');
    expect(cases.map((c) => c.attrs.name)).toEqual(['verdict']);
    const failure = childrenNamed(cases[0]!, 'failure')[0]!;
    expect(failure.attrs.message).toBe('verdict FAIL: no check ran');
    const props = childrenNamed(childrenNamed(suites[0]!, 'properties')[0]!, 'property');
    expect(props.find((p) => p.attrs.name === 'verdict')?.attrs.value).toBe('fail');
  });
});
