import { L2hError } from '../common/errors.js';
import type { Check } from '../harness/results/types.js';

/**
 * Anchor ids for each check's row and evidence section. Check ids come from results and may hold
 * any character, so they are reduced to a safe slug; two ids that reduce to the same slug get a
 * numeric suffix so every link still lands on its own check.
 */
export interface CheckAnchors {
  readonly row: string;
  readonly evidence: string;
}

export function checkAnchors(checks: readonly Check[]): ReadonlyMap<string, CheckAnchors> {
  const used = new Set<string>();
  const out = new Map<string, CheckAnchors>();
  for (const check of checks) {
    const base = check.id.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '') || 'check';
    let slug = base;
    for (let n = 2; used.has(slug); n++) slug = `${base}-${n}`;
    used.add(slug);
    out.set(check.id, { row: `check-${slug}`, evidence: `evidence-${slug}` });
  }
  return out;
}

/** The anchors of one check; every check of `checks` has them. */
export function anchorsOf(anchors: ReadonlyMap<string, CheckAnchors>, check: Check): CheckAnchors {
  const found = anchors.get(check.id);
  if (found === undefined) {
    throw new L2hError('a check has no anchor', { code: 'INTERNAL', context: { check: check.id } });
  }
  return found;
}
